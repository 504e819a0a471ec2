namespace UniAD.Lab.Persistence;

/// <summary>A finished run's results in brief: the mean row of its per-category table (<see cref="RunRecord.Results"/>),
/// the image score every image metric used, and the evaluation's warnings.</summary>
public sealed class RunSummary
{
    public string ImageScore { get; set; } = "";
    public double? MeanImageAuroc { get; set; }
    public double? MeanPixelAuroc { get; set; }
    public double? MeanAupro { get; set; }
    /// <summary>E.g. an AUROC below 0.5, reported raw and never flipped.</summary>
    public List<string> Warnings { get; set; } = [];
}
