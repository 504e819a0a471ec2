namespace UniAD.Core.Tests.Statistics;

/// <summary>Fixed paired inputs (a variant's and a baseline's values, e.g. per category AUROC), chosen so that every
/// rule of the test shows: no ties, ties only after rounding, exact zeros, both, tiny samples, and one large enough for
/// the normal approximation.</summary>
public static class StatisticsCases
{
    public static readonly IReadOnlyDictionary<string, (double[] X, double[] Y)> Pairs = new Dictionary<string, (double[], double[])>
    {
        // MVTec-like per category values; every difference distinct.
        ["eight categories, no ties"] = ([0.981, 0.912, 0.874, 0.995, 0.936, 0.842, 0.968, 0.901],
                                         [0.975, 0.921, 0.851, 0.990, 0.902, 0.861, 0.941, 0.899]),
        ["fifteen categories, all better"] = ([.. Enumerable.Range(0, 15).Select(i => 0.80 + 0.01 * i + 0.001 * (i + 1))],
                                              [.. Enumerable.Range(0, 15).Select(i => 0.80 + 0.01 * i)]),
        ["worse everywhere but one"] = ([0.71, 0.65, 0.80, 0.92, 0.55, 0.61], [0.78, 0.70, 0.83, 0.90, 0.64, 0.69]),
        // 0.95 − 0.90 and 0.90 − 0.85 are not equal in floating point; rounded, they tie.
        ["ties after rounding"] = ([0.90, 0.80, 0.95, 0.70, 0.85], [0.85, 0.82, 0.90, 0.60, 0.80]),
        ["exact zeros"] = ([1.0, 1.0, 0.93, 0.88, 0.97, 0.79, 1.0], [1.0, 0.99, 0.91, 0.89, 0.92, 0.70, 1.0]),
        ["ties and zeros"] = ([1.0, 0.9, 0.8, 0.7, 0.6, 0.5, 0.95, 0.75], [1.0, 0.8, 0.7, 0.6, 0.6, 0.55, 0.85, 0.80]),
        ["five seeds, all better"] = ([0.91, 0.92, 0.93, 0.94, 0.95], [0.90, 0.90, 0.90, 0.90, 0.90]),
        ["one pair"] = ([0.9], [0.8]),
        // 80 pairs (67 non-zero) with many ties: the normal approximation with its tie correction.
        ["eighty pairs, approximate"] = ([.. Enumerable.Range(0, 80).Select(i => (i * 37 % 17) / 100.0)],
                                        [.. Enumerable.Range(0, 80).Select(i => (i * 11 % 13) / 100.0)]),
    };

    public static TheoryData<string> Names => [.. Pairs.Keys];
}
