using Hangfire;
using Microsoft.EntityFrameworkCore;
using UniAD.Core.Training;
using UniAD.Datasets;
using UniAD.Lab.Accounts;
using UniAD.Lab.Persistence;
using UniAD.Lab.Runs;

namespace UniAD.Lab.Tests;

/// <summary>The training job end to end on a tiny dataset, run the way a Hangfire worker runs it.</summary>
public abstract class TrainingJobTests(DatabaseProvider database)
{
    [Collection(TorchRng.Name)] public sealed class OnSqlite() : TrainingJobTests(DatabaseProvider.Sqlite);
    [Collection(TorchRng.Name)] public sealed class OnPostgres() : TrainingJobTests(DatabaseProvider.Postgres);

    private async Task<(Lab Lab, int DatasetId)> LabWithTinyDataset()
    {
        var lab = new Lab(database);
        return (lab, await lab.ImportTinyAsync());
    }

    [Fact]
    public async Task QueuedSeedsBecomeRunsThatTrainAndStoreTheirResults()
    {
        var (lab, datasetId) = await LabWithTinyDataset();
        using var _ = lab;
        var ids = await lab.QueueAsync(datasetId, TinyDataset.Config(epochs: 2), [1, 2], "tiny");
        Assert.Equal(2, ids.Count);
        Assert.Equal(2, lab.JobStorage.GetMonitoringApi().EnqueuedCount(Queues.Training));

        var events = new List<LiveProgress?>();
        lab.Events.Changed += id => events.Add(lab.Events.Latest(id));
        lab.Job().Run(ids[0], CancellationToken.None);

        var run = (await lab.Queries.GetAsync(ids[0]))!;
        Assert.Equal(RunStatus.Finished, run.Status);
        Assert.Equal([1, 2], run.History.Select(e => e.Epoch));
        Assert.Equal(["fabric", "nut", CategoryResult.MeanRow], run.Results.Select(r => r.Category));
        Assert.Equal(run.Summary.MeanImageAuroc, run.Results.Single(r => r.IsMean).ImageAuroc);
        Assert.Equal(1, run.Request.Seed);
        Assert.Contains("device cpu", run.Provenance.Environment);
        Assert.Contains("TorchSharp 0.107", run.Provenance.Environment);
        // A 2-epoch model is near chance: whatever AUROC fell below 0.5 is flagged in the run, as the CLI flags it.
        var below = run.Results.Where(r => !r.IsMean && r.ImageAuroc < 0.5).Select(r => r.Category).ToList();
        Assert.Equal(below.Count, run.Summary.Warnings.Count(w => w.Contains("image AUROC")));
        Assert.Contains("\"seed\": 1", run.Request.ConfigJson);
        Assert.Contains(events, e => e?.Phase == "training" && e.Epoch == 2);
        Assert.True(File.Exists(Path.Combine(run.Folder, RunFolder.ResultsJsonFile)));
        var log = new RunFolder(run.Folder).TailLog(10);
        Assert.Contains(log, l => l.Contains("started on"));
        Assert.Single(log, l => l.Contains("epoch 2: loss"));
        Assert.Contains("finished: mean image AUROC", log[^1]);
        Assert.Equal(2, run.Results.Single(r => r.Category == "nut").AnomalousImages / 3);   // 3 defect types × 2 images

        // What it cost: resource samples through the training, their peak, and the training-job time.
        var samples = await lab.Queries.ResourcesAsync(ids[0]);
        Assert.NotEmpty(samples);
        Assert.True(samples.Zip(samples.Skip(1)).All(p => p.First.Seconds < p.Second.Seconds));
        Assert.All(samples, s => Assert.True(s.MemoryBytes > 0 && s.CpuPercent >= 0 && s.GpuMemoryBytes is null));
        Assert.Equal(samples.Max(s => s.MemoryBytes), run.Cost.PeakMemoryBytes);
        Assert.InRange(run.Cost.WallSeconds!.Value, samples[^1].Seconds, (run.FinishedAt!.Value - run.StartedAt!.Value).TotalSeconds + 1);

        // The gallery's scores are the ones the metrics came from: its AUROC per category equals the stored one.
        var gallery = lab.Get<RunMaps>();
        var contents = (await gallery.ContentsAsync(ids[0]))!;
        Assert.Equal(run.Results.Where(r => !r.IsMean).Sum(r => r.TestImages), contents.Tiles.Count);
        foreach (var category in run.Results.Where(r => !r.IsMean))
        {
            var tiles = contents.Tiles.Where(t => t.Category == category.Category).ToArray();
            var ranking = new Core.Evaluation.ScoreRanking(tiles.Select(t => t.Score).ToArray(), tiles.Select(t => t.IsAnomalous).ToArray());
            Assert.Equal(category.ImageAuroc!.Value, ranking.Auroc, 1e-9);
        }
        Assert.True(contents.Low < contents.High);
        // Rescoring with the run's own image score reproduces the stored metrics; another score gives its own.
        var config = Core.Configuration.UniadConfig.FromJson(run.Request.ConfigJson);
        var same = (await gallery.RescoreAsync(ids[0], config.Evaluation.ImageScore, config.Evaluation.AvgPoolKernel))!;
        Close.Equal(run.Results.Select(r => r.ImageAuroc!.Value), same.Select(r => r.Auroc), 1e-9);
        Close.Equal(run.Results.Select(r => r.ImageAp!.Value), same.Select(r => r.AveragePrecision), 1e-9);
        var mean = (await gallery.RescoreAsync(ids[0], Core.Configuration.ImageScoreKind.Mean, 0))!;
        Assert.Equal(run.Results.Select(r => r.Category), mean.Select(r => r.Category));
        Assert.All(mean, r => Assert.InRange(r.Auroc, 0, 1));
        var png = (await gallery.TileAsync(ids[0], contents.Tiles.First(t => t.IsAnomalous).Index, perImageScale: false))!;
        Assert.Equal("PNG", System.Text.Encoding.ASCII.GetString(png, 1, 3));
        Assert.Null(await gallery.TileAsync(ids[0], contents.Tiles.Count, perImageScale: false));
        Assert.Null(await gallery.ContentsAsync(ids[1]));                   // still queued: nothing to show yet

        lab.Job().Run(ids[0], CancellationToken.None);                   // a finished run is left alone
        Assert.Equal(run.FinishedAt, (await lab.Queries.GetAsync(ids[0]))!.FinishedAt);
    }

    [Fact]
    public async Task APatchCoreRunIsQueuedRunAndReScoredLikeAnyRun()
    {
        var (lab, datasetId) = await LabWithTinyDataset();
        using var _ = lab;
        int id = (await lab.QueueAsync(datasetId, TinyDataset.PatchCoreConfig(), [3], "patchcore"))[0];
        var events = new List<LiveProgress?>();
        lab.Events.Changed += changed => events.Add(lab.Events.Latest(changed));
        lab.Job().Run(id, CancellationToken.None);

        var run = (await lab.Queries.GetAsync(id))!;
        Assert.Equal(RunStatus.Finished, run.Status);
        Assert.Equal(Core.Configuration.Method.Patchcore, Core.Configuration.UniadConfig.FromJson(run.Request.ConfigJson).Method);
        Assert.Empty(run.History);                                           // nothing trains
        Assert.Equal(["fabric", "nut", CategoryResult.MeanRow], run.Results.Select(r => r.Category));
        Assert.Equal("largest patch score (PatchCore, official code)", run.Summary.ImageScore);
        Assert.NotNull(run.Results.Single(r => r.IsMean).Aupro);
        Assert.True(run.Cost.PeakMemoryBytes > 0);
        Assert.Contains(events, e => e?.Phase.StartsWith("selecting the coreset") == true);
        Assert.Contains(events, e => e?.Phase.StartsWith("scoring test images") == true);
        var folder = new RunFolder(run.Folder);
        Assert.True(folder.Has(RunFolder.MemoryBankFile));
        Assert.Contains(folder.TailLog(10), l => l.Contains("coreset of 102 patches picked"));    // 10% of 16 images × 8 × 8

        // The gallery shows the run's own image score; re-scoring with the other of PatchCore's gives the other's metrics,
        // and with the run's own the stored ones.
        var gallery = lab.Get<RunMaps>();
        var contents = (await gallery.ContentsAsync(id))!;
        var saved = folder.ReadImageScores("max")!;
        Assert.All(contents.Tiles, t => Assert.Equal(saved[t.Key], t.Score));
        var same = (await gallery.RescoreAsync(id, Core.Configuration.PatchImageScore.Max))!;
        Close.Equal(run.Results.Select(r => r.ImageAuroc!.Value), same.Select(r => r.Auroc), 1e-9);
        var reweighted = (await gallery.RescoreAsync(id, Core.Configuration.PatchImageScore.Reweighted))!;
        var byKey = folder.ReadImageScores("reweighted")!;
        foreach (var category in reweighted.Where(r => r.Category != CategoryResult.MeanRow))
        {
            var tiles = contents.Tiles.Where(t => t.Category == category.Category).ToArray();
            var ranking = new Core.Evaluation.ScoreRanking(tiles.Select(t => byKey[t.Key]).ToArray(), tiles.Select(t => t.IsAnomalous).ToArray());
            Assert.Equal(ranking.Auroc, category.Auroc, 1e-12);
        }
        Assert.Equal(3, (await gallery.RescoreAsync(id, Core.Configuration.ImageScoreKind.Mean, 0))!.Count);   // the map's own scores too
    }

    [Fact]
    public async Task ACancelledRunResumesFromItsCheckpointToTheSameResult()
    {
        var (lab, datasetId) = await LabWithTinyDataset();
        using var _ = lab;
        var config = TinyDataset.Config(epochs: 3);
        config = config with { Training = config.Training with { EvaluateEveryEpochs = 1 } };
        int uninterrupted = (await lab.QueueAsync(datasetId, config, [5], "straight"))[0];
        int interrupted = (await lab.QueueAsync(datasetId, config, [5], "interrupted"))[0];
        lab.Job().Run(uninterrupted, CancellationToken.None);

        using var cancel = new CancellationTokenSource();
        lab.Events.Changed += id =>
        {
            if (id != interrupted || lab.Events.Latest(id) is not { Epoch: 2, Step: > 0 } || cancel.IsCancellationRequested) return;
            lab.Launcher.CancelAsync(id, LabActor.Laptop).GetAwaiter().GetResult();         // as the run page's button: the job server then stops the job
            cancel.Cancel();
        };
        lab.Job().Run(interrupted, cancel.Token);
        Assert.Equal(RunStatus.Cancelled, (await lab.Queries.GetAsync(interrupted))!.Status);

        await lab.Launcher.ResumeAsync(interrupted, LabActor.Laptop);
        lab.Job().Run(interrupted, CancellationToken.None);

        var (a, b) = ((await lab.Queries.GetAsync(uninterrupted))!, (await lab.Queries.GetAsync(interrupted))!);
        Assert.Equal(RunStatus.Finished, b.Status);
        var samples = await lab.Queries.ResourcesAsync(interrupted);                       // one timeline across the resume
        Assert.True(samples.Zip(samples.Skip(1)).All(p => p.First.Seconds < p.Second.Seconds));
        Assert.True(b.Cost.WallSeconds >= samples[^1].Seconds, $"wall {b.Cost.WallSeconds}, last sample {samples[^1].Seconds}, {samples.Count} samples");
        Assert.Equal(a.History.Select(e => e.Loss), b.History.Select(e => e.Loss));
        Assert.Equal(a.Summary.MeanImageAuroc, b.Summary.MeanImageAuroc);

        // The test set was evaluated after every epoch, before and after the interruption, each epoch once.
        Assert.Equal([1, 2, 3], b.Evaluations.Where(e => e.IsMean).Select(e => e.Epoch));
        Assert.Equal(3 * 3, b.Evaluations.Count);                                          // 2 categories + mean, 3 epochs
        Assert.Equal(a.Evaluations.Select(e => (e.Epoch, e.Category, e.ImageAuroc, e.PixelAuroc, e.PassThrough)),
                     b.Evaluations.Select(e => (e.Epoch, e.Category, e.ImageAuroc, e.PixelAuroc, e.PassThrough)));
        Assert.All(b.Evaluations, e => Assert.Equal(e.IsMean, e.PassThrough is not null));    // the model's, on the mean row
        Assert.Equal(b.Summary.MeanImageAuroc, b.Evaluations.Single(e => e.IsMean && e.Epoch == 3).ImageAuroc);
        var best = b.Evaluations.Where(e => e.IsMean).OrderByDescending(e => e.PixelAuroc).ThenBy(e => e.Epoch).First();
        Assert.Equal((best.Epoch, best.ImageAuroc, best.PixelAuroc), (b.BestOnTest.Epoch!.Value, b.BestOnTest.ImageAuroc!.Value, b.BestOnTest.PixelAuroc));
        Assert.Equal(a.BestOnTest.Epoch, b.BestOnTest.Epoch);
    }

    [Fact]
    public async Task APatchCoreRunCancelledWhileItPicksItsCoresetResumesToTheSameResult()
    {
        var (lab, datasetId) = await LabWithTinyDataset();
        using var _ = lab;
        int uninterrupted = (await lab.QueueAsync(datasetId, TinyDataset.PatchCoreConfig(), [3], "straight"))[0];
        int interrupted = (await lab.QueueAsync(datasetId, TinyDataset.PatchCoreConfig(), [3], "interrupted"))[0];
        lab.Job().Run(uninterrupted, CancellationToken.None);

        using var cancel = new CancellationTokenSource();
        lab.Events.Changed += id =>
        {
            if (id != interrupted || lab.Events.Latest(id)?.Phase.StartsWith("selecting the coreset") != true || cancel.IsCancellationRequested) return;
            lab.Launcher.CancelAsync(id, LabActor.Laptop).GetAwaiter().GetResult();
            cancel.Cancel();
        };
        lab.Job().Run(interrupted, cancel.Token);
        var cancelled = (await lab.Queries.GetAsync(interrupted))!;
        Assert.Equal(RunStatus.Cancelled, cancelled.Status);
        Assert.False(new RunFolder(cancelled.Folder).Has(RunFolder.MemoryBankFile));      // stopped before its bank was whole

        await lab.Launcher.ResumeAsync(interrupted, LabActor.Laptop);
        lab.Job().Run(interrupted, CancellationToken.None);

        var (a, b) = ((await lab.Queries.GetAsync(uninterrupted))!, (await lab.Queries.GetAsync(interrupted))!);
        Assert.Equal(RunStatus.Finished, b.Status);
        Assert.Equal(a.Results.Select(r => (r.Category, r.ImageAuroc, r.PixelAuroc, r.Aupro)), b.Results.Select(r => (r.Category, r.ImageAuroc, r.PixelAuroc, r.Aupro)));
        Assert.Equal(File.ReadAllBytes(new RunFolder(a.Folder).ImageScores), File.ReadAllBytes(new RunFolder(b.Folder).ImageScores));
    }

    [Fact]
    public async Task ARunTheJobServerStopsIsRecordedAsFailedNotCancelledAndResumes()
    {
        var (lab, datasetId) = await LabWithTinyDataset();
        using var _ = lab;
        int id = (await lab.QueueAsync(datasetId, TinyDataset.Config(epochs: 2), [5], "stopped"))[0];
        using var cancel = new CancellationTokenSource();
        lab.Events.Changed += run => { if (run == id && lab.Events.Latest(run) is { Epoch: 2 }) cancel.Cancel(); };   // no user asked

        lab.Job().Run(id, cancel.Token);

        var stopped = (await lab.Queries.GetAsync(id))!;
        Assert.Equal((RunStatus.Failed, TrainingJob.StoppedByTheJobServer), (stopped.Status, stopped.Error));
        await lab.Launcher.ResumeAsync(id, LabActor.Laptop);
        lab.Job().Run(id, CancellationToken.None);
        Assert.Equal(RunStatus.Finished, (await lab.Queries.GetAsync(id))!.Status);
    }

    [Fact]
    public async Task AFailureIsRecordedWithItsCauseAndNotRetried()
    {
        var (lab, datasetId) = await LabWithTinyDataset();
        using var _ = lab;
        var config = TinyDataset.Config() with { Backbone = TinyDataset.Config().Backbone with { WeightsPath = "/nowhere/weights.onnx" } };
        int id = (await lab.QueueAsync(datasetId, config, [1], "broken"))[0];

        Assert.ThrowsAny<Exception>(() => lab.Job().Run(id, CancellationToken.None));

        var run = (await lab.Queries.GetAsync(id))!;
        Assert.Equal(RunStatus.Failed, run.Status);
        Assert.Contains("/nowhere/weights.onnx", run.Error);
        // One line with an id on the page; the same id in the run's log, with the stack.
        var errorId = System.Text.RegularExpressions.Regex.Match(run.Error!, @"\(error ([0-9a-f]{8}); the run log has the details\)$").Groups[1].Value;
        Assert.Equal(8, errorId.Length);
        Assert.DoesNotContain('\n', run.Error!);
        var log = File.ReadAllText(Path.Combine(run.Folder, RunFolder.LogFile));
        Assert.Contains($"failed, error {errorId}: ", log);
        Assert.Contains("   at ", log);
        var retry = typeof(TrainingJob).GetMethod(nameof(TrainingJob.Run))!.GetCustomAttributes(typeof(AutomaticRetryAttribute), false);
        Assert.Equal(0, Assert.IsType<AutomaticRetryAttribute>(Assert.Single(retry)).Attempts);
    }
}

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TorchRng
{
    /// <summary>TorchSharp's random generator is process-wide: tests that train must not overlap.</summary>
    public const string Name = "TorchSharp global RNG";
}
