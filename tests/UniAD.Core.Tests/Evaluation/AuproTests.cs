using UniAD.Core.Evaluation;

namespace UniAD.Core.Tests.Evaluation;

public class AuproTests
{
    [Fact]
    public void PerfectSeparationScoresOne()
    {
        bool[] mask = [false, true, true, false, false, false];
        float[] scores = [0.1f, 0.9f, 0.8f, 0.2f, 0.3f, 0.1f];

        Assert.Equal(1.0, Aupro.Compute([scores], [mask], height: 2, width: 3), 1e-12);
    }

    [Fact]
    public void DiagonalNeighboursFormOneRegion()
    {
        // Defect pixels (0,0), (1,1), (1,2) on 4×4: one region of 3 with 8-connectivity, two (1 + 2) with 4.
        // Only (0,0) is found before any false positive, so the PRO plateau is 1/3 (it would be 1/2 if split).
        var mask = new bool[16];
        var scores = Enumerable.Repeat(0.5f, 16).ToArray();
        mask[0] = mask[5] = mask[6] = true;
        scores[0] = 0.9f;
        scores[5] = scores[6] = 0.1f;

        Assert.Equal(1.0 / 3, Aupro.Compute([scores], [mask], height: 4, width: 4), 1e-12);
    }

    [Fact]
    public void TiedScoresMoveTogetherAndTheCurveIsCutByInterpolation()
    {
        // 10 normal pixels, 1 defect. The defect ties with 5 normals, so the curve goes straight from (0, 0)
        // to (0.5, 1); at FPR 0.3 it is at 0.6, area 0.3·0.6/2 = 0.09, normalised 0.09 / 0.3 = 0.3.
        bool[] mask = [true, false, false, false, false, false, false, false, false, false, false];
        float[] scores = [0.7f, 0.7f, 0.7f, 0.7f, 0.7f, 0.7f, 0.1f, 0.1f, 0.1f, 0.1f, 0.1f];

        Assert.Equal(0.3, Aupro.Compute([scores], [mask], height: 1, width: 11), 1e-12);
    }

    [Fact]
    public void NoDefectRegionThrows()
    {
        var error = Assert.Throws<ArgumentException>(() =>
            Aupro.Compute([new float[4]], [new bool[4]], height: 2, width: 2));
        Assert.Contains("defect region", error.Message);
    }

    [Fact]
    public void MismatchedMapSizeThrows() =>
        Assert.Throws<ArgumentException>(() => Aupro.Compute([new float[5]], [new bool[4]], height: 2, width: 2));
}
