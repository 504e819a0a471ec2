using UniAD.Core.Evaluation;

namespace UniAD.Core.Tests.Evaluation;

/// <summary>Small cases worked out by hand, chosen where a wrong tie or orientation rule would show.</summary>
public class ScoreRankingTests
{
    [Fact]
    public void SklearnDocumentationExample()
    {
        // roc_auc_score / average_precision_score docs: [0.1, 0.4, 0.35, 0.8] vs [0, 0, 1, 1].
        var ranking = new ScoreRanking([0.1f, 0.4f, 0.35f, 0.8f], [false, false, true, true]);

        Assert.Equal(0.75, ranking.Auroc, 1e-15);
        Assert.Equal(5.0 / 6, ranking.AveragePrecision, 1e-15);
        Assert.Equal(0.8, ranking.F1Max.F1, 1e-12);
        Assert.Equal(0.35f, ranking.F1Max.Threshold);                  // one of the scores, not computed
    }

    [Fact]
    public void PerfectSeparationScoresOne()
    {
        var ranking = new ScoreRanking([0.9f, 0.8f, 0.2f, 0.1f, 0.3f], [true, true, false, false, false]);

        Assert.Equal(1.0, ranking.Auroc, 1e-15);
        Assert.Equal(1.0, ranking.AveragePrecision, 1e-15);
        Assert.Equal(1.0, ranking.F1Max.F1, 1e-15);
        Assert.Equal(0.8f, ranking.F1Max.Threshold);
    }

    [Fact]
    public void InvertedScoresGiveRawZeroNotFlipped()
    {
        var ranking = new ScoreRanking([0.1f, 0.2f, 0.8f, 0.9f], [true, true, false, false]);

        Assert.Equal(0.0, ranking.Auroc, 1e-15);
    }

    [Fact]
    public void AllTiedScoresCountAsHalf()
    {
        var ranking = new ScoreRanking([0.5f, 0.5f, 0.5f, 0.5f, 0.5f], [true, false, false, true, false]);

        Assert.Equal(0.5, ranking.Auroc, 1e-15);
        Assert.Equal(2.0 / 5, ranking.AveragePrecision, 1e-15); // one threshold: recall 1 at precision 2/5
        Assert.Equal(2.0 * 2 / (5 + 2), ranking.F1Max.F1, 1e-15);
        Assert.Equal(0.5f, ranking.F1Max.Threshold);
    }

    [Fact]
    public void OneClassOnlyThrows()
    {
        var error = Assert.Throws<ArgumentException>(() => new ScoreRanking([0.1f, 0.7f], [false, false]));
        Assert.Contains("both classes", error.Message);
    }

    [Fact]
    public void NaNScoreThrows() =>
        Assert.Throws<ArgumentException>(() => new ScoreRanking([float.NaN, 0.7f], [true, false]));

    [Fact]
    public void RocCurveIsThinnedButKeepsBothEnds()
    {
        var scores = Enumerable.Range(0, 1000).Select(i => i / 1000f).ToArray();
        var labels = Enumerable.Range(0, 1000).Select(i => i % 3 == 0).ToArray();

        var roc = new ScoreRanking(scores, labels).RocCurve(maxPoints: 50);

        Assert.Equal(50, roc.Thresholds.Length);
        Close.Equal([0.0, 0.0, 1.0, 1.0], [roc.FalsePositiveRates[0], roc.TruePositiveRates[0], roc.FalsePositiveRates[^1], roc.TruePositiveRates[^1]], 1e-15);
        Assert.Equal((float.PositiveInfinity, 0f), (roc.Thresholds[0], roc.Thresholds[^1]));
        for (int i = 1; i < 50; i++)
            Assert.True(roc.Thresholds[i] < roc.Thresholds[i - 1] && roc.FalsePositiveRates[i] >= roc.FalsePositiveRates[i - 1]);
    }
}
