using UniAD.Core.Configuration;

namespace UniAD.Core.Backbones;

/// <summary>Builds the configured frozen backbone with real ImageNet weights.</summary>
public static class BackboneFactory
{
    /// <returns>The backbone and the weights file it was loaded from.</returns>
    public static (FeatureBackbone Backbone, string WeightsPath) Create(BackboneConfig config) => config.Kind switch
    {
        BackboneKind.Resnet18 => Loaded(config.WeightsPath ?? ResNet18Cntk.DefaultModelPath(),
            path => ResNet18Cntk.FromOnnx(path, config.OutLayers)),
        BackboneKind.EfficientnetB4 => Loaded(config.WeightsPath ?? "",
            path => EfficientNetB4.FromWeights(path, config.OutLayers)),
        _ => throw new ArgumentOutOfRangeException(nameof(config), config.Kind, "unknown backbone"),
    };

    /// <summary>Channels of the aligned features for these taps (the sum over taps), without loading weights.</summary>
    public static int Channels(BackboneKind kind, IReadOnlyList<int> outLayers) => kind switch
    {
        BackboneKind.Resnet18 => ResNet18Cntk.TapChannels(outLayers),
        BackboneKind.EfficientnetB4 => EfficientNetB4.TapChannels(outLayers),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown backbone"),
    };

    private static (FeatureBackbone, string) Loaded(string path, Func<string, FeatureBackbone> load) => (load(path), path);
}
