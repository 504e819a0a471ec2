using System.Security.Cryptography;
using System.Text;
using TorchSharp;
using UniAD.Core.Backbones;
using UniAD.Core.Configuration;
using UniAD.Core.Data;
using UniAD.Core.Model;
using UniAD.Core.PatchCore;
using static TorchSharp.torch;

namespace UniAD.Core.Features;

/// <summary>The frozen half of UniAD: image → backbone taps → MFCN → aligned features ("feature_align"); or, for
/// PatchCore, image → backbone taps → locally aware patch features. Because it never trains and MVTec-style training uses
/// no augmentation, its output per image is fixed, which is what makes the feature cache exact. The backbone is loaded on
/// the first extraction, so a run whose features are all cached never needs it.</summary>
public sealed class FeatureExtractor : IDisposable
{
    private readonly Lazy<FeatureBackbone> _backbone;
    private readonly Func<Tensor[], Tensor> _head;             // taps → B×C×GridHeight×GridWidth
    private readonly Device _device;

    public int InputHeight { get; }
    public int InputWidth { get; }
    public int GridHeight { get; }
    public int GridWidth { get; }
    public int Channels { get; }
    /// <summary>Identifies the features this extractor produces: backbone, weights, taps, sizes, and PatchCore's patches.</summary>
    public string Fingerprint { get; }

    /// <param name="patches">PatchCore's patch features instead of UniAD's aligned ones: C is the patch feature's
    /// length and the grid the first tap's.</param>
    public FeatureExtractor(BackboneConfig config, Device device, PatchcoreConfig? patches = null)
    {
        (InputHeight, InputWidth) = (config.InputSize[0], config.InputSize[1]);
        (Channels, GridHeight, GridWidth) = patches is null ? ShapeOf(config) : PatchShapeOf(config, patches);
        Fingerprint = FingerprintOf(config, BackboneFactory.WeightsIdentity(config), patches);   // validates the weights early
        _backbone = new Lazy<FeatureBackbone>(() => { var b = BackboneFactory.Create(config); b.to(device); return b; });
        _device = device;
        if (patches is null) _head = new Mfcn(GridHeight, GridWidth).forward;
        else _head = taps => PatchEmbedding.Compute(taps, patches.PatchSize, patches.LayerDimension, patches.Dimension)   // B×(h·w)×D
            .transpose(1, 2).reshape(taps[0].shape[0], Channels, GridHeight, GridWidth);                                  // B×D×h×w
    }

    /// <summary>Length and grid of PatchCore's patch features: the first tap's grid (the input size is a multiple of its
    /// stride, <see cref="ConfigRules"/>).</summary>
    private static (int Channels, int GridHeight, int GridWidth) PatchShapeOf(BackboneConfig config, PatchcoreConfig patches)
    {
        int stride = BackboneFactory.Stride(config.Kind, config.OutLayers[0]);
        return (patches.Dimension, config.InputSize[0] / stride, config.InputSize[1] / stride);
    }

    /// <summary>Channels and token grid of the aligned features a backbone config gives, without its weights.</summary>
    public static (int Channels, int GridHeight, int GridWidth) ShapeOf(BackboneConfig config)
    {
        var (height, width) = (config.InputSize[0], config.InputSize[1]);
        if (height % config.OutStride != 0 || width % config.OutStride != 0)
            throw new ArgumentException($"input size {height}x{width} is not a multiple of the output stride {config.OutStride}");
        return (BackboneFactory.Channels(config.Kind, config.OutLayers), height / config.OutStride, width / config.OutStride);
    }

    /// <summary>The features of the images, N×C×GridHeight×GridWidth on the CPU (fp16 when <paramref name="half"/>).</summary>
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
            var features = _head(backbone.forward(images));                                     // B×C×h×w
            batches.Add(features.to(half ? float16 : float32, CPU).MoveToOuterDisposeScope());
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

    private static string FingerprintOf(BackboneConfig config, string weightsIdentity, PatchcoreConfig? patches)
    {
        var description = $"{config.Kind}|{string.Join(',', config.OutLayers)}|{config.OutStride}|{string.Join('x', config.InputSize)}|{weightsIdentity}";
        if (patches is not null) description += $"|patchcore|{patches.PatchSize}|{patches.LayerDimension}|{patches.Dimension}";
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(description)));
    }
}
