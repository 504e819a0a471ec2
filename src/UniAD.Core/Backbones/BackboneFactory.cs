using UniAD.Core.Configuration;

namespace UniAD.Core.Backbones;

/// <summary>Builds the configured frozen backbone with real ImageNet weights.</summary>
public static class BackboneFactory
{
    /// <summary>The NuGet package whose ResNet-18 ONNX file is the default weights.</summary>
    public const string DefaultResNet18Weights = "Microsoft.ML.DnnImageFeaturizer.ResNet18 0.23.1 ResNet18.onnx";

    public static FeatureBackbone Create(BackboneConfig config) => config.Kind switch
    {
        BackboneKind.Resnet18 => ResNet18CntkWeights.FromOnnx(config.WeightsPath ?? ResNet18CntkWeights.DefaultModelPath(), config.OutLayers),
        BackboneKind.EfficientnetB4 => EfficientNetB4Weights.FromFile(config.WeightsPath, config.OutLayers),
        _ => throw new ArgumentOutOfRangeException(nameof(config), config.Kind, "unknown backbone"),
    };

    /// <summary>Names the weights without loading them: the shipped default by its package version, a user's
    /// file by the SHA-256 of its content. Throws when the config has no usable weights.</summary>
    public static string WeightsIdentity(BackboneConfig config)
    {
        if (config.Kind == BackboneKind.Resnet18 && config.WeightsPath is null) return DefaultResNet18Weights;
        if (config.Kind == BackboneKind.EfficientnetB4) EfficientNetB4Weights.RequireFile(config.WeightsPath);
        if (!File.Exists(config.WeightsPath)) throw new InvalidFileException($"backbone weights not found: {config.WeightsPath}");
        using var file = File.OpenRead(config.WeightsPath);
        return Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(file));
    }

    /// <summary>Channels of the aligned features for these taps (the sum over taps), without loading weights.</summary>
    public static int Channels(BackboneKind kind, IReadOnlyList<int> outLayers) => kind switch
    {
        BackboneKind.Resnet18 => ResNet18Cntk.TapChannels(outLayers),
        BackboneKind.EfficientnetB4 => EfficientNetB4.TapChannels(outLayers),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown backbone"),
    };

    /// <summary>The stride of a layer's output relative to the input image, without loading weights.</summary>
    public static int Stride(BackboneKind kind, int layer) => kind switch
    {
        BackboneKind.Resnet18 => ResNet18Cntk.TapStride(layer),
        BackboneKind.EfficientnetB4 => EfficientNetB4.TapStride(layer),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown backbone"),
    };
}
