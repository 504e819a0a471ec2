using System.Collections;
using TorchSharp.PyBridge;
using UniAD.Core.Interop;
using static TorchSharp.torch;

namespace UniAD.Core.Backbones;

/// <summary>The official EfficientNet-B4 ImageNet weights (<see cref="FileName"/>) read into an <see cref="EfficientNetB4"/>:
/// its module names are the official state-dict keys, so every key must match, strictly, with nothing missing or left over.</summary>
public static class EfficientNetB4Weights
{
    public const string FileName = "efficientnet-b4-6ed6700e.pth";

    /// <summary>Throws unless <paramref name="path"/> names an existing weights file: there is no pretrained
    /// EfficientNet-B4 without one, and training on random weights would be silently meaningless.</summary>
    public static void RequireFile([System.Diagnostics.CodeAnalysis.NotNull] string? path)
    {
        if (string.IsNullOrWhiteSpace(path))
            throw new ConfigException(
                $"EfficientNet-B4 needs ImageNet weights ({FileName}); set backbone.weights_path to that file. " +
                "Refusing to train on random weights.");
        if (!File.Exists(path))
            throw new InvalidFileException(
                $"EfficientNet-B4 weights not found at '{path}'. Download {FileName} and set backbone.weights_path to it.");
    }

    /// <summary>Loads the official ImageNet weights (a PyTorch <c>.pth</c> state dict, or the same keys
    /// as <c>.safetensors</c>) strictly and returns the frozen backbone.</summary>
    /// <param name="outLayers">UniAD <c>outlayers</c>, strictly increasing, each in 1..5.</param>
    /// <param name="nominalImageSize">Size the static pads are computed for; keep 380 to match UniAD.</param>
    /// <exception cref="ConfigException">No path: there is no pretrained backbone without the file.</exception>
    /// <exception cref="InvalidFileException">No such file; or missing or unexpected keys, or shape mismatches, all listed.</exception>
    public static EfficientNetB4 FromFile(string? path, IReadOnlyList<int> outLayers,
                                          int nominalImageSize = EfficientNetB4.DefaultNominalImageSize)
    {
        RequireFile(path);
        var weights = ReadStateDict(path);
        try
        {
            return FromStateDict(weights, outLayers, $"'{path}'", nominalImageSize: nominalImageSize);
        }
        finally
        {
            StateDict.DisposeAll(weights.Values);
        }
    }

    /// <summary>The frozen backbone with these ImageNet weights (the official state-dict keys), e.g. the ones inside an
    /// official UniAD checkpoint. <paramref name="source"/> and <paramref name="keyPrefix"/> name them in errors.</summary>
    /// <exception cref="InvalidFileException">Missing or unexpected keys, or shape mismatches, all listed.</exception>
    public static EfficientNetB4 FromStateDict(IReadOnlyDictionary<string, Tensor> weights, IReadOnlyList<int> outLayers, string source,
        string keyPrefix = "", int nominalImageSize = EfficientNetB4.DefaultNominalImageSize)
    {
        var model = new EfficientNetB4(outLayers, nominalImageSize);
        try
        {
            StateDict.LoadStrict(model, weights, source, "an EfficientNet-B4 state dict",
                optional: k => k.EndsWith(".num_batches_tracked"), keyPrefix: keyPrefix);   // older PyTorch files lack them; unused in eval
        }
        catch
        {
            model.Dispose();
            throw;
        }
        model.Freeze();
        return model;
    }

    /// <summary>The tensors of a <c>.safetensors</c> file, or of a PyTorch <c>.pth</c> that holds a plain state dict, by key.</summary>
    private static Dictionary<string, Tensor> ReadStateDict(string path)
    {
        if (path.EndsWith(".safetensors", StringComparison.OrdinalIgnoreCase))
            return Safetensors.LoadStateDict(path);

        var result = new Dictionary<string, Tensor>();
        foreach (DictionaryEntry entry in TorchFile.Read(path, $"'{path}'"))
            result[(string)entry.Key] = entry.Value as Tensor
                ?? throw new InvalidFileException(
                    $"'{path}' is not a plain state dict: key '{entry.Key}' holds a {entry.Value?.GetType().Name ?? "null"}.");
        return result;
    }
}
