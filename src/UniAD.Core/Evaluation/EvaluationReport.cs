namespace UniAD.Core.Evaluation;

/// <summary>Detection and localization results of one category (or the mean over categories).
/// Pixel metrics are null when the protocol has none (no masks). All AUROCs are raw: never flipped.</summary>
public sealed record CategoryMetrics(
    string Category,
    int TestImages,
    int AnomalousImages,
    double ImageAuroc,
    double ImageAp,
    double ImageF1Max,
    double? PixelAuroc,
    double? PixelAp,
    double? PixelF1Max,
    double? Aupro);

/// <summary>One defect type of a category, its images scored against the category's normal test images.</summary>
public sealed record DefectTypeMetrics(string Category, string DefectType, int Images, double ImageAuroc, double? PixelAuroc);

/// <summary>Per-category metrics with their unweighted mean (the paper's protocol), the image score used,
/// and warnings (e.g. an AUROC below 0.5, which the official code would have silently flipped).
/// <see cref="DefectTypes"/> breaks each category down by defect type (null for the quick evaluations during training).</summary>
public sealed record EvaluationReport(
    string ImageScore,
    IReadOnlyList<CategoryMetrics> Categories,
    CategoryMetrics Mean,
    IReadOnlyList<string> Warnings)
{
    public IReadOnlyList<DefectTypeMetrics>? DefectTypes { get; init; }
}
