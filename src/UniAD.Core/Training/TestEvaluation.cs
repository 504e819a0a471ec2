using UniAD.Core.Evaluation;

namespace UniAD.Core.Training;

/// <summary>The test-set metrics of the model after one epoch. The official code evaluates on the test set every
/// <c>val_freq_epoch</c> epochs and keeps the checkpoint with the best mean pixel AUROC: a choice made on the test
/// set, so "best" results are optimistic and the lab always shows them beside the last epoch's.</summary>
/// <param name="PassThrough">The model's identity pass-through on the normal test images (<see cref="ShortcutProbe"/>), null
/// when the test set has none.</param>
public sealed record TestEvaluation(int Epoch, List<CategoryMetrics> Categories, CategoryMetrics Mean, double? PassThrough = null)
{
    /// <summary>The official <c>key_metric</c>: mean pixel AUROC, or mean image AUROC where the protocol has no pixel metrics.</summary>
    public double KeyMetric => Mean.PixelAuroc ?? Mean.ImageAuroc;

    public static TestEvaluation Of(int epoch, EvaluationReport report, double? passThrough) => new(epoch, [.. report.Categories], report.Mean, passThrough);

    /// <summary>The evaluation the official code would have kept as <c>ckpt_best</c> (the earliest on ties), or null when there is none.</summary>
    public static TestEvaluation? BestOnTest(IEnumerable<TestEvaluation> evaluations) =>
        evaluations.OrderByDescending(e => e.KeyMetric).ThenBy(e => e.Epoch).FirstOrDefault();
}
