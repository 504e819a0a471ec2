using UniAD.Core;
using UniAD.Lab.Persistence;

namespace UniAD.Lab.Compare;

/// <summary>The per-category metrics a run stores, each higher-is-better.</summary>
public enum Metric { ImageAuroc, PixelAuroc, Aupro, ImageAp, PixelAp, ImageF1Max, PixelF1Max }

public static class Metrics
{
    public static double? Of(this CategoryResult r, Metric metric) => metric switch
    {
        Metric.ImageAuroc => r.ImageAuroc,
        Metric.PixelAuroc => r.PixelAuroc,
        Metric.Aupro => r.Aupro,
        Metric.ImageAp => r.ImageAp,
        Metric.PixelAp => r.PixelAp,
        Metric.ImageF1Max => r.ImageF1Max,
        Metric.PixelF1Max => r.PixelF1Max,
        _ => throw new ArgumentOutOfRangeException(nameof(metric)),
    };

    public static string Label(this Metric metric) => metric switch
    {
        Metric.ImageAuroc => "image AUROC",
        Metric.PixelAuroc => "pixel AUROC",
        Metric.Aupro => "AUPRO",
        Metric.ImageAp => "image AP",
        Metric.PixelAp => "pixel AP",
        Metric.ImageF1Max => "image F1-max",
        Metric.PixelF1Max => "pixel F1-max",
        _ => throw new ArgumentOutOfRangeException(nameof(metric)),
    };

    /// <summary>The name URLs, the API and exports use: <c>image_auroc</c>, <c>pixel_f1_max</c>, ...</summary>
    public static string Key(this Metric metric) => System.Text.Json.JsonNamingPolicy.SnakeCaseLower.ConvertName(metric.ToString());

    public static Metric Parse(string? key)
    {
        if (string.IsNullOrEmpty(key)) return Metric.ImageAuroc;
        foreach (var metric in Enum.GetValues<Metric>())
            if (metric.Key() == key) return metric;
        throw new UserException($"unknown metric '{key}'; known: {string.Join(", ", Enum.GetValues<Metric>().Select(m => m.Key()))}");
    }
}
