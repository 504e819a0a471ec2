using UniAD.Core;
using UniAD.Core.Configuration;
using UniAD.Lab.Persistence;
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
        var ids = await lab.QueueAsync(datasetId, TinyDataset.Config(epochs: 1), [1, 2], "pair");
        lab.Job().Run(ids[0], CancellationToken.None);
        var editor = lab.Editor;

        await editor.AnnotateAsync(ids[0], " renamed ", "baseline,  cpu , baseline", " looks fine ");
        var run = (await lab.Queries.GetAsync(ids[0]))!;
        Assert.Equal(("renamed", "looks fine"), (run.Name, run.Notes));
        Assert.Equal(["baseline", "cpu"], run.Tags);
        Assert.Equal(1, (await lab.Queries.PageAsync(new RunPageRequest(0, 10, Search: "cpu"))).Total);   // found inside a tag

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

    [Fact]
    public async Task TextOverItsLimitIsRefusedNamingTheLimitAndNothingChanges()
    {
        using var lab = new Lab();
        int id = (await lab.QueueAsync(await lab.ImportTinyAsync(), TinyDataset.Config(epochs: 1), [1], "kept"))[0];

        var error = await Assert.ThrowsAsync<UserException>(() => lab.Editor.AnnotateAsync(id, new string('n', 300), new string('t', 1001), "ok"));

        Assert.Equal(["the name: 300 characters, over the limit of 200 (Lab:Limits:NameLength)",
                      "the tags: 1,001 characters, over the limit of 1,000 (Lab:Limits:TagsLength)"], error.Problems);
        Assert.Equal("kept", (await lab.Queries.GetAsync(id))!.Name);
        await Assert.ThrowsAsync<NotFoundException>(() => lab.Editor.AnnotateAsync(999, "x", "", ""));
    }
}

public class RunCancelTests
{
    /// <summary>Bulk cancel takes runs by id, by group or by study, in one transaction, and leaves the runs that ended.</summary>
    [Fact]
    public async Task ManyRunsCancelInOneRequestAndOnlyThoseThatHadNotEnded()
    {
        using var lab = new Lab();
        int datasetId = await lab.ImportTinyAsync();
        var seeds = await lab.QueueAsync(datasetId, TinyDataset.Config(epochs: 1), [.. Enumerable.Range(1, 40)], "many");
        var other = await lab.QueueAsync(datasetId, TinyDataset.Config(epochs: 1), [1], "apart");
        string group;
        using (var db = lab.Db())
        {
            var first = db.Runs.Single(r => r.Id == seeds[0]);
            (first.Status, group) = (RunStatus.Finished, first.Group);
            db.SaveChanges();
        }

        Assert.Equal(39, await lab.Launcher.CancelAsync(new RunSelection(Group: group)));

        using (var db = lab.Db())
        {
            Assert.Equal(RunStatus.Finished, db.Runs.Single(r => r.Id == seeds[0]).Status);
            Assert.All(db.Runs.Where(r => r.Group == group && r.Id != seeds[0]).ToList(), r => Assert.Equal((RunStatus.Cancelled, true), (r.Status, r.CancelRequested)));
            Assert.Equal(RunStatus.Queued, db.Runs.Single(r => r.Id == other[0]).Status);
        }
        using (var jobs = lab.JobStorage.GetConnection())                       // the job server hears of it: no worker will start them
        using (var db = lab.Db())
            Assert.Equal([.. Enumerable.Repeat("Deleted", 39), "Enqueued", "Enqueued"],
                db.Runs.OrderBy(r => r.Status == RunStatus.Cancelled ? 0 : 1).Select(r => r.JobId!).ToList().Select(job => jobs.GetStateData(job).Name));
        Assert.Equal(1, await lab.Launcher.CancelAsync(new RunSelection([.. seeds, .. other])));
        Assert.Equal(0, await lab.Launcher.CancelAsync(new RunSelection([.. seeds, .. other])));
        await Assert.ThrowsAsync<UserException>(() => lab.Launcher.CancelAsync(new RunSelection(seeds, Group: group)));
        await Assert.ThrowsAsync<UserException>(() => lab.Launcher.CancelAsync(new RunSelection([.. Enumerable.Range(1, 10_001)])));
        await Assert.ThrowsAsync<NotFoundException>(() => lab.Launcher.CancelAsync(999));
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
        var estimator = lab.Get<RunEstimator>();
        var config = TinyDataset.Config(epochs: 2);
        var spec = Lab.SpecOf(datasetId, config, [1], "first");
        Assert.Null(await estimator.EstimateAsync(await lab.Requests.PlanAsync(spec)));      // nothing measured yet

        int id = (await lab.Requests.QueueAsync(spec, "tester"))[0];
        lab.Job().Run(id, CancellationToken.None);
        double speed = (await lab.Queries.GetAsync(id))!.Progress.ImagesPerSecond!.Value;

        var longer = spec with { Epochs = 10, Categories = ["nut"] };
        var estimate = (await estimator.EstimateAsync(await lab.Requests.PlanAsync(longer)))!;
        Assert.Equal((8, 1), (estimate.TrainImages, estimate.BasedOnRuns));
        Assert.Equal(10 * 8 / speed, estimate.Training.TotalSeconds, 1e-6);     // a TimeSpan holds 100 ns ticks
        var otherShape = longer with { Overrides = [.. longer.Overrides!, "model.hidden_dim=64"] };
        Assert.Null(await estimator.EstimateAsync(await lab.Requests.PlanAsync(otherShape)));
        Assert.Null(await estimator.EstimateAsync(await lab.Requests.PlanAsync(longer with { Device = "cuda" })));
    }
}

public class RunQueryTests
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
                db.Runs.Add(new RunRecord
                {
                    Name = $"s{seed}", DatasetId = datasetId, Status = status, Request = new() { Seed = seed, ConfigJson = config.ToJson() },
                    Summary = new() { MeanImageAuroc = auroc },
                });
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

    [Fact]
    public async Task APageBeforeTheFirstASizeOverTheLimitAndAnUnknownSortColumnAreSaid()
    {
        using var lab = new Lab();
        var error = await Assert.ThrowsAsync<UserException>(() => lab.Queries.PageAsync(new RunPageRequest(-1, 5000, SortBy: "Colour")));
        Assert.Equal(["page -1 does not exist: pages count from 0", "page size 5000 is not between 1 and 1000 (Lab:Limits:PageSize)",
                      $"unknown sort column 'Colour'; known: {string.Join(", ", RunQueries.SortableColumns)}"], error.Problems);
        Assert.Equal(0, (await lab.Queries.PageAsync(new RunPageRequest(0, 10, SortBy: "meanImageAuroc"))).Total);   // a column's name in any case
    }
}
