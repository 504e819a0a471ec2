namespace UniAD.Core.Statistics;

public enum WilcoxonMethod { Exact, NormalApproximation }

/// <param name="Pairs">Pairs given.</param>
/// <param name="NonZero">Pairs with a non-zero difference: the ones the test ranks.</param>
/// <param name="PositiveRankSum">W+, the rank sum of the positive differences (x above y).</param>
/// <param name="Statistic">min(W+, W−), the two-sided statistic scipy reports.</param>
/// <param name="PValue">Two-sided; 1 when every difference is zero.</param>
public sealed record WilcoxonResult(int Pairs, int NonZero, double PositiveRankSum, double Statistic, double PValue,
    WilcoxonMethod Method, bool Ties);

/// <summary>The Wilcoxon signed-rank test of paired values x and y (is x − y symmetric about zero?), two-sided, as a
/// paired comparison of a variant with its baseline over categories or over seeds. The rules, chosen so that
/// <c>scipy.stats.wilcoxon</c> gives the same numbers wherever it is exact (docs/statistics.md):
/// <list type="bullet">
/// <item>Differences are rounded to <see cref="Resolution"/>, so two differences that are equal in exact arithmetic
/// but not in floating point count as a tie.</item>
/// <item>Zero differences are dropped (Wilcoxon's rule, scipy's default <c>zero_method="wilcox"</c>).</item>
/// <item>Tied absolute differences share their mean rank.</item>
/// <item>Up to <see cref="ExactUpTo"/> non-zero pairs the p-value is exact: the share of the 2^n sign assignments of
/// the ranks as extreme as the one observed. With ties or zeros this is the exact conditional test (scipy's exact
/// mode has no tie handling; it agrees with <c>scipy.stats.permutation_test</c> on the same ranks).</item>
/// <item>Above that, the normal approximation with the tie correction and no continuity correction (scipy's
/// <c>method="approx"</c>).</item>
/// </list></summary>
public static class WilcoxonSignedRank
{
    public const int ExactUpTo = 50;
    public const double Resolution = 1e-12;

    public static WilcoxonResult Test(IReadOnlyList<double> x, IReadOnlyList<double> y)
    {
        if (x.Count != y.Count) throw new ArgumentException($"paired samples differ in length: {x.Count} and {y.Count}");
        var differences = x.Zip(y, (a, b) => Math.Round((a - b) / Resolution) * Resolution).Where(d => d != 0).ToArray();
        int n = differences.Length;
        if (n == 0) return new WilcoxonResult(x.Count, 0, 0, 0, 1, WilcoxonMethod.Exact, Ties: false);

        var (ranks, tieGroups) = MidRanks(differences.Select(Math.Abs).ToArray());
        double positive = differences.Select((d, i) => d > 0 ? ranks[i] : 0).Sum();
        double total = n * (n + 1) / 2.0;
        double statistic = Math.Min(positive, total - positive);
        bool ties = tieGroups.Count > 0;
        return n <= ExactUpTo
            ? new WilcoxonResult(x.Count, n, positive, statistic, ExactPValue(ranks, positive), WilcoxonMethod.Exact, ties)
            : new WilcoxonResult(x.Count, n, positive, statistic, ApproximatePValue(n, statistic, tieGroups), WilcoxonMethod.NormalApproximation, ties);
    }

    /// <summary>Ranks 1..n of the values with ties sharing their mean rank, and the size of each group of ties.</summary>
    private static (double[] Ranks, List<int> TieGroups) MidRanks(double[] values)
    {
        var order = Enumerable.Range(0, values.Length).OrderBy(i => values[i]).ToArray();
        var ranks = new double[values.Length];
        var tieGroups = new List<int>();
        for (int start = 0; start < order.Length;)
        {
            int end = start;
            while (end + 1 < order.Length && values[order[end + 1]] == values[order[start]]) end++;
            double rank = (start + end) / 2.0 + 1;                    // mean of the 1-based ranks start+1 .. end+1
            for (int k = start; k <= end; k++) ranks[order[k]] = rank;
            if (end > start) tieGroups.Add(end - start + 1);
            start = end + 1;
        }
        return (ranks, tieGroups);
    }

    /// <summary>Two-sided exact p-value: 2·min(P(W+ ≤ w), P(W+ ≥ w)) under independent fair signs, capped at 1. Mean
    /// ranks are halves at worst, so twice the ranks are integers and the null distribution is a count over sums.</summary>
    private static double ExactPValue(double[] ranks, double positive)
    {
        var doubled = ranks.Select(r => (int)Math.Round(2 * r)).ToArray();
        int total = doubled.Sum();
        var ways = new double[total + 1];                                // ways[s]: sign assignments with 2·W+ = s
        ways[0] = 1;
        int reach = 0;
        foreach (int r in doubled)
        {
            for (int s = reach; s >= 0; s--) ways[s + r] += ways[s];     // this rank positive (descending: each used once)
            reach += r;
        }
        int observed = (int)Math.Round(2 * positive);
        if (2 * observed == total) return 1;                             // at the centre of a symmetric distribution
        double all = Math.Pow(2, ranks.Length);
        double atMost = ways.Take(observed + 1).Sum() / all, atLeast = ways.Skip(observed).Sum() / all;
        return Math.Min(1, 2 * Math.Min(atMost, atLeast));
    }

    /// <summary>z = (T − n(n+1)/4) / σ with σ² = n(n+1)(2n+1)/24 − Σ(t³ − t)/48 over groups of t ties; p = 2·Φ(−|z|).</summary>
    private static double ApproximatePValue(int n, double statistic, IReadOnlyList<int> tieGroups)
    {
        double mean = n * (n + 1) / 4.0;
        double variance = n * (n + 1.0) * (2 * n + 1) / 24 - tieGroups.Sum(t => (double)t * t * t - t) / 48;
        double z = (statistic - mean) / Math.Sqrt(variance);
        return Math.Min(1, 2 * Normal.UpperTail(Math.Abs(z)));
    }
}
