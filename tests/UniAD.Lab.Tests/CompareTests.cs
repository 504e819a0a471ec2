using UniAD.Core;
using UniAD.Core.Configuration;
using UniAD.Lab.Compare;
using UniAD.Lab.Persistence;

namespace UniAD.Lab.Tests;

/// <summary>The compare view's data from a real database: labelled items, per-category cells over seeds, deltas, paired
/// tests, the config differences and the warnings that keep incomparable numbers apart.</summary>
public abstract class CompareTests(DatabaseProvider database)
{
    public sealed class OnSqlite() : CompareTests(DatabaseProvider.Sqlite);
    public sealed class OnPostgres() : CompareTests(DatabaseProvider.Postgres);

    /// <summary>A finished run with the given image AUROC per category (pixel AUROC 0.1 lower).</summary>
    private static RunRecord Run(int datasetId, UniadConfig config, int seed, string name, params (string Category, double Auroc)[] results) => new()
    {
        Name = name, DatasetId = datasetId, Request = new() { Seed = seed, ConfigJson = config.WithSeed(seed).ToJson() },
        Status = RunStatus.Finished, Summary = new() { ImageScore = "max of 8×8 average pool" }, Group = $"{name} group",
        Results = [.. results.Select(r => new CategoryResult { Category = r.Category, ImageAuroc = r.Auroc, PixelAuroc = r.Auroc - 0.1 }),
                   new CategoryResult { Category = CategoryResult.MeanRow, IsMean = true, ImageAuroc = results.Average(r => r.Auroc) }],
    };

    private async Task<(Lab Lab, int DatasetId)> LabWith(params Func<int, RunRecord>[] runs)
    {
        var lab = new Lab(database);
        int datasetId = await lab.ImportTinyAsync();
        using var db = lab.Db();
        db.Runs.AddRange(runs.Select(r => r(datasetId)));
        await db.SaveChangesAsync();
        return (lab, datasetId);
    }

    [Fact]
    public async Task GroupsOfSeedsBecomeCellsWithMeanStdDeltaAndPairedTests()
    {
        var full = Presets.QuickCpu;
        var vanilla = Presets.Vanilla(full);
        double[] a = [0.90, 0.92, 0.94, 0.91, 0.93], b = [0.80, 0.83, 0.85, 0.82, 0.84];          // five seeds each
        var (lab, _) = await LabWith([
            .. a.Select((v, s) => (Func<int, RunRecord>)(d => Run(d, full, s + 1, "full", ("fabric", v), ("nut", v - 0.05)))),
            .. b.Select((v, s) => (Func<int, RunRecord>)(d => Run(d, vanilla, s + 1, "vanilla", ("fabric", v), ("nut", v + 0.1)))),
        ]);
        using var _ = lab;
        var selection = CompareSelection.Parse(null, "1,2,3,4,5;vanilla runs:6,7,8,9,10");
        var comparison = await new CompareQueries(lab.Databases).BuildAsync(selection);

        Assert.Equal(["full group", "vanilla runs"], comparison.Items.Select(i => i.Label));      // the shared run group, or the given name
        Assert.All(comparison.Items, i => Assert.Equal(ModelKind.Unified, i.Kind));
        Assert.Empty(comparison.Warnings);
        var matrix = comparison.Matrix(Metric.ImageAuroc, baseline: 1);
        Assert.Equal(["fabric", "nut"], matrix.Categories);
        var fabric = matrix.Rows[0].Cells[0];
        Assert.Equal(5, fabric.Summary!.Count);
        Assert.Equal(a.Average(), fabric.Summary.Mean, 1e-12);
        Assert.Equal(UniAD.Core.Statistics.Summary.Of(a)!.Std!.Value, fabric.Summary.Std!.Value, 1e-12);
        Assert.Equal(a.Average() - b.Average(), fabric.Delta!.Value, 1e-12);
        Assert.Equal(5, fabric.SeedTest!.NonZero);                                               // five shared seeds: tested per cell
        Assert.Equal(0.0625, fabric.SeedTest.PValue, 1e-12);                                     // all five better: 2/32
        // The mean column holds one value per seed: the mean over that seed's categories.
        Close.Equal(a.Select(v => (v + v - 0.05) / 2), matrix.Rows[0].Mean.Values.Select(v => v.Value), 1e-12);
        Assert.Equal(2, matrix.Rows[0].CategoryTest!.Pairs);
        Assert.Null(matrix.Rows[1].CategoryTest);                                                 // the baseline is not tested against itself
        Assert.True(matrix.IsBest(0, 0) && !matrix.IsBest(1, 0) && matrix.IsBest(1, 1));          // vanilla is better on nut
        Assert.Equal(a.Average() - 0.1, comparison.Matrix(Metric.PixelAuroc).Rows[0].Cells[0].Summary!.Mean, 1e-12);

        var diff = comparison.ConfigDiff.ToDictionary(r => r.Key, r => r.Values);
        Assert.Equal(["1, 2, 3, 4, 5", "1, 2, 3, 4, 5"], diff["seeds"]);
        Assert.Equal(["\"layerwise\"", "\"none\""], diff["model.queries"]);
        Assert.False(diff.ContainsKey("training.epochs"));                                        // the same everywhere
        Assert.False(diff.ContainsKey("training.seed"));                                          // seeds have their own row
    }

    [Fact]
    public async Task RunsOfAnotherKindVersionOrScoreAreFlaggedNotMixed()
    {
        var config = Presets.QuickCpu;
        var (lab, _) = await LabWith(
            d => Run(d, config, 1, "unified", ("fabric", 0.9), ("nut", 0.8)),
            d => Run(d, config, 1, "fabric only", ("fabric", 0.95)),
            d => Run(d, config, 2, "other score", ("fabric", 0.7), ("nut", 0.6)));
        using var disposeLab = lab;
        using (var db = lab.Db())
        {
            var perCategory = db.Runs.Single(r => r.Name == "fabric only");
            perCategory.Request.Categories = ["fabric"];
            db.Runs.Single(r => r.Name == "other score").Summary.ImageScore = "mean of map";
            var other = new DatasetRecord { Name = "tiny", Version = new string('e', 64), Layout = "mvtec", Folder = "/nowhere" };
            db.Datasets.Add(other);
            await db.SaveChangesAsync();
            var elsewhere = Run(other.Id, config, 3, "elsewhere", ("fabric", 0.5));
            (elsewhere.Status, elsewhere.Results) = (RunStatus.Running, []);
            db.Runs.Add(elsewhere);
            await db.SaveChangesAsync();
        }

        var comparison = await new CompareQueries(lab.Databases).BuildAsync(CompareSelection.Parse("1,2,3,4", null));

        Assert.Equal([ModelKind.Unified, ModelKind.PerCategory, ModelKind.Unified, ModelKind.Unified], comparison.Items.Select(i => i.Kind));
        Assert.Equal("#1 unified", comparison.Items[0].Label);
        var warnings = string.Join("\n", comparison.Warnings);
        Assert.Contains("different dataset versions", warnings);
        Assert.Contains("tiny@eeeeeeeeeeee (#4 elsewhere)", warnings);
        Assert.Contains("different image scores", warnings);
        Assert.Contains("unified models and per-category models", warnings);
        Assert.Contains("different categories", warnings);
        Assert.Contains("run #4 is running", warnings);
        Assert.Contains(comparison.ConfigDiff, r => r.Key == "categories" && r.Values[1] == "fabric");
        await Assert.ThrowsAsync<NotFoundException>(() => new CompareQueries(lab.Databases).BuildAsync(CompareSelection.Parse("1,99", null)));
    }

    [Theory]
    [InlineData("1", null, "compare 2 to 20")]
    [InlineData("1,x", null, "'x' is not a run id")]
    [InlineData("1,1", null, "selected twice")]
    [InlineData(null, "a:1,2;b:", "has no runs")]
    [InlineData("1,2", "1,2;3", "either runs=")]
    [InlineData(null, null, "either runs=")]
    public void BadSelectionsAreRefusedWithTheReason(string? runs, string? groups, string expected) =>
        Assert.Contains(expected, Assert.Throws<UserException>(() => CompareSelection.Parse(runs, groups)).Message);

    [Fact]
    public void ASelectionSurvivesItsUrl()
    {
        var groups = CompareSelection.OfGroups([("model.queries=\"none\"", [3, 4]), ("a;b:c", [7])]);
        var query = groups.ToQuery();
        var parsed = CompareSelection.Parse(null, Uri.UnescapeDataString(query["groups=".Length..]));
        Assert.Equal(groups.Items.Select(i => (i.Label, string.Join(',', i.RunIds))), parsed.Items.Select(i => (i.Label, string.Join(',', i.RunIds))));
        Assert.Equal("runs=3,5", CompareSelection.Parse("3,5", null).ToQuery());
        Assert.Equal(21, Assert.Throws<UserException>(() => CompareSelection.Parse(string.Join(',', Enumerable.Range(1, 21)), null)).Message.Split(' ')
            .Select(w => int.TryParse(w, out int n) ? n : 0).Max());
    }
}
