using UniAD.Core.Statistics;

namespace UniAD.Core.Tests.Statistics;

/// <summary>Mean, sample standard deviation and the Wilcoxon signed-rank test against numpy and scipy, computed at test
/// time on the same inputs.</summary>
public class StatisticsTests(ScipyStatistics scipy) : IClassFixture<ScipyStatistics>
{
    [Theory]
    [MemberData(nameof(StatisticsCases.Names), MemberType = typeof(StatisticsCases))]
    public void MeanAndSampleStdMatchNumpy(string caseName)
    {
        var summary = Summary.Of(StatisticsCases.Pairs[caseName].X)!;
        var reference = scipy[caseName];
        Assert.Equal(reference.GetProperty("mean").GetDouble(), summary.Mean, 1e-12);
        if (reference.GetProperty("std").ValueKind == System.Text.Json.JsonValueKind.Null) Assert.Null(summary.Std);
        else Assert.Equal(reference.GetProperty("std").GetDouble(), summary.Std!.Value, 1e-12);
    }

    [Theory]
    [MemberData(nameof(StatisticsCases.Names), MemberType = typeof(StatisticsCases))]
    public void WilcoxonMatchesScipy(string caseName)
    {
        var (x, y) = StatisticsCases.Pairs[caseName];
        var result = WilcoxonSignedRank.Test(x, y);
        var reference = scipy[caseName];

        Assert.Equal(reference.GetProperty("nonzero").GetInt32(), result.NonZero);
        Assert.Equal(reference.GetProperty("ties").GetBoolean(), result.Ties);
        Assert.Equal(reference.GetProperty("w_plus").GetDouble(), result.PositiveRankSum, 1e-9);
        Assert.Equal(reference.GetProperty("statistic").GetDouble(), result.Statistic, 1e-9);
        double p = reference.GetProperty("p").GetDouble();
        Assert.True(Math.Abs(p - result.PValue) <= Math.Max(1e-12, 1e-9 * p),
            $"p = {result.PValue:R} ({result.Method}), scipy {p:R} ({reference.GetProperty("source").GetString()})");
    }

    [Fact]
    public void TheCasesCoverEveryBranch()
    {
        var sources = StatisticsCases.Pairs.Keys.Select(k => scipy[k].GetProperty("source").GetString()).ToHashSet();
        Assert.Equal(["permutation_test", "wilcoxon approx", "wilcoxon exact"], sources.Order());
        Assert.Equal(WilcoxonMethod.NormalApproximation, WilcoxonSignedRank.Test(StatisticsCases.Pairs["eighty pairs, approximate"].X,
            StatisticsCases.Pairs["eighty pairs, approximate"].Y).Method);
    }

    [Fact]
    public void SmallSamplesCannotReachSignificance()
    {
        // Five pairs all in one direction is as extreme as five pairs get: 2 of 32 sign patterns, p = 1/16.
        Assert.Equal(0.0625, WilcoxonSignedRank.Test([0.91, 0.92, 0.93, 0.94, 0.95], [0.9, 0.9, 0.9, 0.9, 0.9]).PValue, 1e-15);
        Assert.Equal(1.0, WilcoxonSignedRank.Test([0.9], [0.8]).PValue, 1e-15);
    }

    [Fact]
    public void IdenticalValuesGiveNoEvidence()
    {
        var result = WilcoxonSignedRank.Test([0.9, 0.8, 1.0], [0.9, 0.8, 1.0]);
        Assert.Equal((3, 0), (result.Pairs, result.NonZero));
        Assert.Equal(1.0, result.PValue, 1e-15);
    }

    [Fact]
    public void UnpairedInputIsRefused() =>
        Assert.Contains("differ in length", Assert.Throws<ArgumentException>(() => WilcoxonSignedRank.Test([1.0, 2.0], [1.0])).Message);

    [Theory]
    [InlineData(0.0, 0.5)]
    [InlineData(1.0, 0.15865525393145707)]
    [InlineData(1.959963984540054, 0.025)]
    [InlineData(3.0, 0.0013498980316300933)]
    [InlineData(6.0, 9.865876450376946e-10)]
    public void TheNormalTailMatchesKnownValues(double z, double expected) =>
        Assert.True(Math.Abs(Normal.UpperTail(z) - expected) <= 1e-13 * expected, $"{Normal.UpperTail(z):R}");
}
