namespace UniAD.Lab.Persistence;

/// <summary>One row of a run's result table: a category, or the mean row. One row per (run, category), so a
/// compare view reads many runs' per-category results in one query.</summary>
public sealed class CategoryResult
{
    /// <summary>The mean row's category name; parentheses keep it apart from any folder name a dataset uses.</summary>
    public const string MeanRow = "(mean)";

    public int Id { get; set; }
    public int RunId { get; set; }
    public required string Category { get; set; }
    public bool IsMean { get; set; }
    public int TestImages { get; set; }
    public int AnomalousImages { get; set; }
    public double? ImageAuroc { get; set; }
    public double? ImageAp { get; set; }
    public double? ImageF1Max { get; set; }
    public double? PixelAuroc { get; set; }
    public double? PixelAp { get; set; }
    public double? PixelF1Max { get; set; }
    public double? Aupro { get; set; }
}
