namespace UniAD.Lab.Persistence;

/// <summary>Image and pixel AUROC of one category (or the mean row) on the test set after one epoch: the evaluations
/// during training (training.evaluate_every_epochs) and after the last epoch. They show how test metrics move as a
/// run trains; picking the best epoch from them is picking on the test set.</summary>
public sealed class TestEvaluationRecord
{
    public int Id { get; set; }
    public int RunId { get; set; }
    public int Epoch { get; set; }
    public required string Category { get; set; }
    public bool IsMean { get; set; }
    public double ImageAuroc { get; set; }
    public double? PixelAuroc { get; set; }
    /// <summary>The model's identity pass-through (ShortcutProbe), on the mean row: a property of the model, not of a category.</summary>
    public double? PassThrough { get; set; }
}
