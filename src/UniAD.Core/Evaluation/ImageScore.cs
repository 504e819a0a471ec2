using UniAD.Core.Configuration;
using static TorchSharp.torch;
using static TorchSharp.torch.nn.functional;

namespace UniAD.Core.Evaluation;

/// <summary>Turns input-resolution anomaly maps into one score per image (docs/model.md section 5). The
/// paper uses <see cref="ImageScoreKind.MaxAvgPool"/> (k = 16) for MVTec-AD and <see cref="ImageScoreKind.Mean"/>
/// for CIFAR-10; every report says which one it used.</summary>
public static class ImageScore
{
    /// <param name="maps">B×1×H×W anomaly maps.</param>
    /// <returns>B scores.</returns>
    public static Tensor Compute(Tensor maps, ImageScoreKind kind, int avgPoolKernel = 16) => kind switch
    {
        ImageScoreKind.MaxAvgPool => avg_pool2d(maps, avgPoolKernel, stride: 1).amax([1, 2, 3]),
        ImageScoreKind.Mean => maps.mean([1, 2, 3]),
        ImageScoreKind.Std => maps.flatten(1).std(1, unbiased: false),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    public static string Describe(ImageScoreKind kind, int avgPoolKernel) => kind switch
    {
        ImageScoreKind.MaxAvgPool => $"max of {avgPoolKernel}x{avgPoolKernel} average-pooled map",
        ImageScoreKind.Mean => "mean of map",
        _ => "standard deviation of map",
    };
}
