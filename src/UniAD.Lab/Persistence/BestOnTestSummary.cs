namespace UniAD.Lab.Persistence;

/// <summary>The epoch whose test metrics were best (the official ckpt_best rule), with its mean image and pixel AUROC: a
/// choice made on the test set, shown beside the last epoch's results and never in place of them.</summary>
public sealed class BestOnTestSummary
{
    public int? Epoch { get; set; }
    public double? ImageAuroc { get; set; }
    public double? PixelAuroc { get; set; }
}
