using UniAD.Core;
using UniAD.Datasets;
using UniAD.Lab.Persistence;
using UniAD.Core.Configuration;
using UniAD.Lab.Runs;

namespace UniAD.Lab.Tests;

[Collection(TorchRng.Name)]
public class RunEditorTests
{
    [Fact]
    public async Task AnnotateArchiveAndDeleteWhichFreesTheDisk()
    {
        using var lab = new Lab();
        int datasetId = await lab.ImportTinyAsync();
        var ids = await lab.Launcher.QueueAsync(new RunRequest(datasetId, Core.Tests.TinyDataset.Config(epochs: 1), [1, 2], "pair", "test"));
        lab.Job().Run(ids[0], CancellationToken.None);
        var editor = new RunEditor(lab.Databases);

        await editor.AnnotateAsync(ids[0], " renamed ", "baseline,  cpu , baseline", " looks fine ");
        var run = (await lab.Queries.GetAsync(ids[0]))!;
        Assert.Equal(("renamed", "baseline, cpu", "looks fine"), (run.Name, run.Tags, run.Notes));
        Assert.Equal(1, (await lab.Queries.PageAsync(new RunPageRequest(0, 10, Search: "cpu"))).Total);

        await editor.ArchiveAsync([ids[0]], archived: true);
        Assert.Equal(1, (await lab.Queries.PageAsync(new RunPageRequest(0, 10))).Total);
        Assert.Equal(2, (await lab.Queries.PageAsync(new RunPageRequest(0, 10, IncludeArchived: true))).Total);

        var error = await Assert.ThrowsAsync<ConflictException>(() => editor.DeleteAsync(ids));
        Assert.Contains($"#{ids[1]}", error.Message);                            // still queued
        Assert.True(Directory.Exists(run.Folder));

        Assert.True(await editor.DeleteAsync([ids[0]]) > 0);
        Assert.False(Directory.Exists(run.Folder));
        Assert.Null(await lab.Queries.GetAsync(ids[0]));
        using var db = lab.Db();
        Assert.DoesNotContain(db.CategoryResults, c => c.RunId == ids[0]);
        Assert.DoesNotContain(db.Epochs, e => e.RunId == ids[0]);
    }
}

[Collection(TorchRng.Name)]
public class RunEstimatorTests
{
    [Fact]
    public async Task TheEstimateComesFromFinishedRunsOfTheSameShapeOnTheSameDevice()
    {
        using var lab = new Lab();
        int datasetId = await lab.ImportTinyAsync();
        var estimator = new RunEstimator(lab.Databases);
        var config = Core.Tests.TinyDataset.Config(epochs: 2);
        var request = new RunRequest(datasetId, config, [1], "first", "test", Device: "cpu");
        Assert.Null(await estimator.EstimateAsync(request));                     // nothing measured yet

        int id = (await lab.Launcher.QueueAsync(request))[0];
        lab.Job().Run(id, CancellationToken.None);
        double speed = (await lab.Queries.GetAsync(id))!.ImagesPerSecond!.Value;

        var longer = request with { Config = config with { Training = config.Training with { Epochs = 10 } }, Categories = ["nut"] };
        var estimate = (await estimator.EstimateAsync(longer))!;
        Assert.Equal((8, 1), (estimate.TrainImages, estimate.BasedOnRuns));
        Assert.Equal(10 * 8 / speed, estimate.Training.TotalSeconds, 1e-6);     // a TimeSpan holds 100 ns ticks
        var otherShape = longer with { Config = ConfigOverrides.Apply(longer.Config, ["model.hidden_dim=64"]) };
        Assert.Null(await estimator.EstimateAsync(otherShape));
        Assert.Null(await estimator.EstimateAsync(longer with { Device = "cuda" }));
    }
}

public class RunGroupingTests
{
    [Fact]
    public async Task RunsGroupByAnyConfigKeyWithMeanAndSpreadOverSeeds()
    {
        using var lab = new Lab();
        int datasetId = await lab.ImportTinyAsync();
        var full = Presets.QuickCpu;
        var vanilla = Presets.Vanilla(full);
        using (var db = lab.Db())
        {
            foreach (var (config, seed, auroc, status) in new[] { (full, 1, 0.90, RunStatus.Finished), (full, 2, 0.94, RunStatus.Finished),
                         (vanilla, 1, 0.80, RunStatus.Finished), (vanilla, 2, (double?)null, RunStatus.Failed) })
                db.Runs.Add(new RunRecord { Name = $"s{seed}", DatasetId = datasetId, Seed = seed, ConfigJson = config.ToJson(), Status = status, MeanImageAuroc = auroc });
            db.SaveChanges();
        }

        var groups = await lab.Queries.GroupAsync("model.queries", new RunPageRequest(0, 10));

        Assert.Equal(["\"layerwise\"", "\"none\""], groups.Select(g => g.Value));
        var layerwise = groups[0];
        Assert.Equal((2, 2), (layerwise.Runs, layerwise.Finished));
        Assert.Equal(0.92, layerwise.ImageAurocMean!.Value, 1e-12);
        Assert.Equal(Math.Sqrt(0.0008), layerwise.ImageAurocStd!.Value, 1e-12);
        Assert.Equal((2, 1, (double?)null), (groups[1].Runs, groups[1].Finished, groups[1].ImageAurocStd));
        Assert.Equal(0.80, groups[1].ImageAurocMean!.Value, 1e-12);
        Assert.Equal(2, (await lab.Queries.GroupAsync("seed", new RunPageRequest(0, 10))).Count);
        await Assert.ThrowsAsync<UserException>(() => lab.Queries.GroupAsync("model.nonsense", new RunPageRequest(0, 10)));
    }
}
