using UniAD.Core.Evaluation;

namespace UniAD.Core.Tests.Evaluation;

/// <summary>Our metrics against scikit-learn / scipy computed at test time on the same inputs.</summary>
public class SklearnAgreementTests(SklearnReference reference) : IClassFixture<SklearnReference>
{
    [Theory]
    [MemberData(nameof(ReferenceCases.RankingNames), MemberType = typeof(ReferenceCases))]
    public void RankingMetricsMatchSklearn(string caseName)
    {
        var input = ReferenceCases.Rankings[caseName];
        var ranking = new ScoreRanking(input.Scores, input.Labels);

        Assert.Equal(reference.Value(caseName, "auroc"), ranking.Auroc, 1e-9);
        Assert.Equal(reference.Value(caseName, "average_precision"), ranking.AveragePrecision, 1e-9);
        Assert.Equal(reference.Value(caseName, "f1_max"), ranking.F1Max.F1, 1e-9);
    }

    [Theory]
    [MemberData(nameof(ReferenceCases.RankingNames), MemberType = typeof(ReferenceCases))]
    public void F1MaxThresholdReachesTheReportedF1(string caseName)
    {
        var input = ReferenceCases.Rankings[caseName];
        var (f1, threshold) = new ScoreRanking(input.Scores, input.Labels).F1Max;

        int tp = 0, fp = 0, fn = 0;
        for (int i = 0; i < input.Scores.Length; i++)
        {
            bool predicted = input.Scores[i] >= threshold;
            if (predicted && input.Labels[i]) tp++;
            else if (predicted) fp++;
            else if (input.Labels[i]) fn++;
        }
        Assert.Equal(2.0 * tp / (2 * tp + fp + fn), f1, 1e-12);
    }

    [Theory]
    [MemberData(nameof(ReferenceCases.RankingNames), MemberType = typeof(ReferenceCases))]
    public void UnthinnedRocCurveMatchesSklearn(string caseName)
    {
        var input = ReferenceCases.Rankings[caseName];
        var roc = new ScoreRanking(input.Scores, input.Labels).RocCurve(maxPoints: int.MaxValue);

        AssertClose(reference.Values(caseName, "roc_fpr"), roc.FalsePositiveRates);
        AssertClose(reference.Values(caseName, "roc_tpr"), roc.TruePositiveRates);
    }

    [Theory]
    [MemberData(nameof(ReferenceCases.MapSetNames), MemberType = typeof(ReferenceCases))]
    public void AuproMatchesDirectThresholdSweep(string caseName)
    {
        var input = ReferenceCases.MapSets[caseName];
        double aupro = Aupro.Compute(input.Scores, input.Masks, input.Height, input.Width, input.MaxFpr);

        Assert.Equal(reference.Value(caseName, "aupro"), aupro, 1e-6);
    }

    private static void AssertClose(double[] expected, double[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.Equal(expected[i], actual[i], 1e-12);
    }
}
