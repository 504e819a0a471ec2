namespace UniAD.Core.Evaluation;

/// <summary>Points of a ROC curve in order of decreasing threshold: a sample counts as anomalous when its
/// score is ≥ <c>Thresholds[i]</c>, giving rates <c>FalsePositiveRates[i]</c>, <c>TruePositiveRates[i]</c>.</summary>
public sealed record RocPoints(double[] FalsePositiveRates, double[] TruePositiveRates, float[] Thresholds);
