using UniAD.Core.PatchCore;
using static TorchSharp.torch;

namespace UniAD.Core.Tests.PatchCore;

/// <summary>PatchCore's parts against independent computations of the same definitions (numpy, scipy, PyTorch).</summary>
public sealed class PatchCoreTests(PatchCoreReference reference) : IClassFixture<PatchCoreReference>
{
    private static Tensor Input(string name) => tensor(PatchCoreReference.Inputs[name].Values).reshape(PatchCoreReference.Inputs[name].Shape);

    [Theory]
    [InlineData("coreset spread", "spread points", 60)]
    [InlineData("coreset clustered", "clustered points", 300)]
    public void TheCoresetPicksTheSamePatchesInTheSameOrderAsPlainGreedyKCenter(string caseName, string points, int picks)
    {
        var input = PatchCoreReference.Inputs[points];
        var picked = GreedyCoreset.Pick(input.Values, (int)input.Shape[1], picks, PatchCoreReference.Starts);
        Assert.Equal(reference.Indices(caseName), picked.Select(p => (long)p));
    }

    [Fact]
    public void ACoresetOfAFractionPicksThatManyDistinctPatchesTheSameWayForTheSameSeed()
    {
        using var features = Input("spread points");
        var picked = GreedyCoreset.Select(features, 0.1, projectionDimension: 4, startingPoints: 10, seed: 7).Picks;
        Assert.Equal(60, picked.Length);
        Assert.Equal(60, picked.Distinct().Count());
        Assert.Equal(picked, GreedyCoreset.Select(features, 0.1, projectionDimension: 4, startingPoints: 10, seed: 7).Picks);
        Assert.NotEqual(picked, GreedyCoreset.Select(features, 0.1, projectionDimension: 4, startingPoints: 10, seed: 8).Picks);
        Assert.Equal(Enumerable.Range(0, 600), GreedyCoreset.Select(features, 1, projectionDimension: 4, startingPoints: 10, seed: 7).Picks);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    public void NearestNeighboursInBlocksAreTheExactOnes(int k)
    {
        using var bank = Input("bank");
        using var queries = Input("queries");
        // Room for the bank and a block of 7 queries: the 50 queries are searched in 8 blocks.
        var search = new NearestNeighbours(bank, 300 * 20 * 4 + 7 * 2 * 4 * 300);
        var (distances, indices) = search.Search(queries, k);
        Assert.Equal(new long[] { 50, k }, distances.shape);
        Close.Equal(reference.Values($"neighbours {k}", "distances"), distances.data<float>().Select(d => (double)d), 1e-4);
        Assert.Equal(reference.Indices($"neighbours {k}", "indices"), indices.data<long>().ToArray());
    }

    [Fact]
    public void ABankThatLeavesNoRoomForTheSearchIsRefusedWithItsSize()
    {
        using var bank = Input("bank");
        var refused = Assert.Throws<ConfigException>(() => new NearestNeighbours(bank, 300 * 20 * 4));
        Assert.Contains("300 patches × 20 dimensions", refused.Message);
        Assert.Contains("patchcore.memory_budget_mb", refused.Message);
    }

    [Fact]
    public void TheReweightedImageScoreIsThePapersFormula()
    {
        using var bank = Input("small bank");
        using var features = Input("test patches");                                   // 4 images × 30 patches × 10
        var search = new NearestNeighbours(bank, 1 << 20);
        var (distances, nearest) = search.Search(features.reshape(-1, 10), 1);
        using var scores = PatchScores.Reweighted(distances.reshape(4, 30), nearest.reshape(4, 30), features, bank, search, neighbours: 9);
        Close.Equal(reference.Values("reweighted"), scores.data<float>().Select(s => (double)s), 1e-5);
        // Weighted down from the largest patch score, never up.
        Assert.All(scores.data<float>().Zip(PatchScores.Maximum(distances.reshape(4, 30)).data<float>()), pair => Assert.InRange(pair.First, 0, pair.Second));
    }

    [Theory]
    [InlineData("gaussian 4", "maps", 4.0)]
    [InlineData("gaussian wider than the map", "tiny map", 2.0)]
    public void SmoothingIsScipysGaussianFilter(string caseName, string maps, double sigma)
    {
        using var input = Input(maps);
        using var smoothed = GaussianSmoothing.Apply(input, sigma);
        Assert.Equal(input.shape, smoothed.shape);
        Close.Equal(reference.Values(caseName), smoothed.data<float>().Select(v => (double)v), 1e-5);
    }

    [Fact]
    public void PatchFeaturesFollowTheOfficialSteps()
    {
        using var fine = Input("fine tap");                                           // 2×8×8×8
        using var coarse = Input("coarse tap");                                       // 2×12×4×4
        using var features = PatchEmbedding.Compute([fine, coarse], patchSize: 3, layerDimension: 40, dimension: 32);
        Assert.Equal(new long[] { 2, 64, 32 }, features.shape);
        Close.Equal(reference.Values("embedding"), features.data<float>().Select(v => (double)v), 1e-5);
    }
}
