using System.Security.Cryptography;
using System.Text;
using TorchSharp;
using UniAD.Core.Backbones;
using UniAD.Core.Configuration;
using UniAD.Core.Data;
using UniAD.Core.Model;
using static TorchSharp.torch;

namespace UniAD.Core.Features;

/// <summary>The frozen half of UniAD: image → backbone taps → MFCN → aligned features ("feature_align").
/// Because it never trains and MVTec-style training uses no augmentation, its output per image is fixed,
/// which is what makes the feature cache exact. The backbone is loaded on the first extraction, so a run
/// whose features are all cached never needs it.</summary>
public sealed class FeatureExtractor : IDisposable
{
    private readonly Lazy<FeatureBackbone> _backbone;
    private readonly Mfcn _neck;
    private readonly Device _device;

    public int InputHeight { get; }
    public int InputWidth { get; }
    public int GridHeight { get; }
    public int GridWidth { get; }
    public int Channels { get; }
    /// <summary>Identifies the features this extractor produces: backbone, weights, taps, sizes.</summary>
    public string Fingerprint { get; }

    public FeatureExtractor(BackboneConfig config, Device device)
    {
        (InputHeight, InputWidth) = (config.InputSize[0], config.InputSize[1]);
        (Channels, GridHeight, GridWidth) = ShapeOf(config);
        Fingerprint = FingerprintOf(config, BackboneFactory.WeightsIdentity(config));   // validates the weights early
        _backbone = new Lazy<FeatureBackbone>(() => { var b = BackboneFactory.Create(config); b.to(device); return b; });
        _device = device;
        _neck = new Mfcn(GridHeight, GridWidth);
    }

    /// <summary>Channels and token grid of the aligned features a backbone config gives, without its weights.</summary>
    public static (int Channels, int GridHeight, int GridWidth) ShapeOf(BackboneConfig config)
    {
        var (height, width) = (config.InputSize[0], config.InputSize[1]);
        if (height % config.OutStride != 0 || width % config.OutStride != 0)
            throw new ArgumentException($"input size {height}x{width} is not a multiple of the output stride {config.OutStride}");
        return (BackboneFactory.Channels(config.Kind, config.OutLayers), height / config.OutStride, width / config.OutStride);
    }

    /// <summary>Aligned features of the images, N×C×GridHeight×GridWidth on the CPU (fp16 when <paramref name="half"/>).</summary>
    public Tensor Extract(IReadOnlyList<AnomalySample> samples, int batchSize, bool half,
        IProgress<int>? imagesDone = null, CancellationToken cancel = default)
    {
        var backbone = _backbone.Value;                                    // loaded here, outside the per-batch dispose scopes
        var batches = new List<Tensor>();
        using var _ = no_grad();
        for (int start = 0; start < samples.Count; start += batchSize)
        {
            cancel.ThrowIfCancellationRequested();
            using var scope = NewDisposeScope();
            var images = stack(samples.Skip(start).Take(batchSize)
                .Select(s => ImageLoader.LoadRgb(s.ImagePath, InputHeight, InputWidth))).to(_device); // B×3×H×W
            var aligned = _neck.forward(backbone.forward(images));                               // B×C×h×w
            batches.Add(aligned.to(half ? float16 : float32, CPU).MoveToOuterDisposeScope());
            imagesDone?.Report(Math.Min(start + batchSize, samples.Count));
        }
        var all = cat(batches, dim: 0);
        foreach (var b in batches) b.Dispose();
        return all;
    }

    public void Dispose()
    {
        if (_backbone.IsValueCreated) _backbone.Value.Dispose();
    }

    private static string FingerprintOf(BackboneConfig config, string weightsIdentity)
    {
        var description = $"{config.Kind}|{string.Join(',', config.OutLayers)}|{config.OutStride}|{string.Join('x', config.InputSize)}|{weightsIdentity}";
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(description)));
    }
}
