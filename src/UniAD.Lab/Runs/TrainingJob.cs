using Hangfire;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using UniAD.Core;
using UniAD.Core.Configuration;
using UniAD.Core.Data;
using UniAD.Core.Evaluation;
using UniAD.Core.Training;
using UniAD.Datasets;
using UniAD.Lab.Persistence;
using UniAD.Lab.Workers;

namespace UniAD.Lab.Runs;

/// <summary>The Hangfire job that trains and evaluates one run (or evaluates an imported one). Idempotent: it starts a queued run, or a running one
/// whose worker restarted it, and a run whose folder holds a checkpoint continues from it. Never retried blindly (an out-of-memory failure would only
/// fail again): a failure is recorded with its cause and the user chooses to resume or rerun. A run this worker should not take (it is drained, or
/// cannot honour the run's config or device) is passed on to another, never failed; a run it trains when its process stops is handed back.</summary>
public sealed class TrainingJob(IDbContextFactory<LabDbContext> databases, RunEvents events, IOptions<LabOptions> options, OfficialImports imports,
    WorkerRegistry registry, RunLauncher launcher, ILogger<TrainingJob> logger, IHostApplicationLifetime? host = null, TrainingServer? server = null)
{
    [AutomaticRetry(Attempts = 0, OnAttemptsExceeded = AttemptsExceededAction.Fail)]
    public void Run(int runId, CancellationToken cancel)
    {
        // Hangfire cancels the job when it is deleted (a user's cancel); the host, when this process is asked to stop.
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancel, host?.ApplicationStopping ?? CancellationToken.None);
        var (run, config, device) = Start(runId, stop.Token);
        if (run is null) return;
        using var resources = new ResourceSampler(runId, TimeSpan.FromSeconds(options.Value.ResourceSampleSeconds), run.Cost.WallSeconds ?? 0,
            device.type == TorchSharp.DeviceType.CUDA ? Math.Max(0, (int)device.index) : null);
        var folder = new RunFolder(run.Folder);
        var recorder = new ProgressRecorder(runId, folder, databases, events, resources);
        try
        {
            folder.AppendLog($"started on {WorkerRegistry.ThisProcess}, device {run.Request.Device}, seed {run.Request.Seed}");
            var dataset = DatasetVersion.Open(run.Dataset!.Folder).Load(run.Request.ClassFolder())
                .WithCategories(run.Request.Categories.Count > 0 ? run.Request.Categories : null);
            var request = new ExperimentRequest(config!, dataset, run.Folder, device,
                options.Value.FeatureCacheFolder, Resume: folder.HoldsRun);
            var result = run.IsImported
                ? imports.Evaluate(run, dataset, device, recorder.Hooks, stop.Token)
                : Experiment.Run(request, recorder.Hooks, stop.Token);
            recorder.Complete(result);
            Finish(recorder, RunStatus.Finished, null, result.Report, result.BestOnTest);
            folder.AppendLog("finished" + (result.Report is { } r ? FormattableString.Invariant($": mean image AUROC {100 * r.Mean.ImageAuroc:F1}") : ""));
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            recorder.Flush();
            if (CancelRequested(runId))
            {
                Finish(recorder, RunStatus.Cancelled, null, null, null);
                folder.AppendLog("cancelled; resume continues from the last checkpoint");
            }
            else if (host?.ApplicationStopping.IsCancellationRequested == true)
            {
                // The process is stopping (SIGTERM, a restart): the run goes back to the queue with a new job, not to
                // failed; the next free worker continues from the last checkpoint.
                // This server stops fetching first, or it would take the new job straight back.
                server?.TakeRuns(false);
                if (Finish(recorder, RunStatus.Queued, null, null, null)) launcher.GiveJob(runId, run.Request.Queue);
                folder.AppendLog($"handed back: {WorkerRegistry.ThisProcess} is stopping; the next free worker continues from the last checkpoint");
            }
            else
            {
                Finish(recorder, RunStatus.Failed, StoppedByTheJobServer, null, null);
                folder.AppendLog($"failed: {StoppedByTheJobServer}");
            }
        }
        catch (RunTakenOverException e)
        {
            logger.LogWarning("{Reason}", e.Message);
            folder.AppendLog($"stopped: {e.Message}");
        }
        catch (Exception e)
        {
            // The page shows one line and an id; the stack (a native library's can run to pages) is in the run's log and
            // the lab's, the latter for when the run's own cannot be written (a full disk).
            var errorId = ErrorIds.New();
            Finish(recorder, RunStatus.Failed, $"{UserErrors.OneLine(e)} (error {errorId}; the run log has the details)", null, null);
            logger.LogError(e, "Run {RunId} failed, error {ErrorId}", runId, errorId);
            try { folder.AppendLog($"failed, error {errorId}: {e}"); }
            catch (IOException) { }
            throw;                                          // Hangfire shows it as failed too (no retry)
        }
        finally { events.Ended(runId); }
    }

    public const string StoppedByTheJobServer = "the job server stopped this run before it finished (Hangfire aborted the job); resume continues from the last checkpoint";

    private bool CancelRequested(int runId)
    {
        using var db = databases.CreateDbContext();
        return db.Runs.Where(r => r.Id == runId).Select(r => r.CancelRequested).Single();
    }

    /// <summary>Claims the run for this worker (marks it running) and returns it with the config and device it trains
    /// with; the run is null when there is nothing to do here.</summary>
    private (RunRecord? Run, UniadConfig? Config, TorchSharp.torch.Device Device) Start(int runId, CancellationToken stop)
    {
        RunRecord? run;
        using (var db = databases.CreateDbContext()) run = db.Runs.AsNoTracking().SingleOrDefault(r => r.Id == runId);
        // Only a queued run starts (or a running one this process was training when Hangfire handed it the job again);
        // a run another worker trains is its own, and one marked interrupted is queued again by a resume.
        bool mine = run?.Status == RunStatus.Running && (run.Worker is null || run.Worker == WorkerRegistry.ThisProcess);
        if (run is null || !(run.Status == RunStatus.Queued || mine)) return default;
        if (run.Status == RunStatus.Queued && registry.Draining())
        {
            server?.TakeRuns(false);                        // before the run's new job exists, so this server does not take it again
            PassOn(run, $"{WorkerRegistry.ThisProcess} is drained");
            return default;
        }
        UniadConfig config;
        TorchSharp.torch.Device device;
        try { (config, device) = (UniadConfig.FromJson(run.Request.ConfigJson, strict: true), DeviceSelector.Resolve(run.Request.Device)); }
        catch (Exception e) when (e is System.Text.Json.JsonException or ConfigException)
        {
            Refuse(run, UserErrors.OneLine(e), stop);
            return default;
        }

        using var claim = databases.CreateDbContext();
        // One conditional update: of two jobs for one run (a worker taken for dead, and the one that resumed its run),
        // one trains it.
        int claimed = claim.Runs.Where(r => r.Id == runId && (r.Status == RunStatus.Queued ||
                (r.Status == RunStatus.Running && (r.Worker == null || r.Worker == WorkerRegistry.ThisProcess))))
            .ExecuteUpdate(set => set.SetProperty(r => r.Status, RunStatus.Running).SetProperty(r => r.Worker, WorkerRegistry.ThisProcess));
        if (claimed == 0) return default;
        run = claim.Runs.Include(r => r.Dataset).Single(r => r.Id == runId);
        run.StartedAt ??= DateTime.UtcNow;
        run.Provenance.Environment = Describe(device);
        run.TrainedOn.Add($"{DateTime.UtcNow:yyyy-MM-dd HH:mm:ss}Z {WorkerRegistry.ThisProcess} on {DeviceName(device)}, code {CodeVersion.Short(CodeVersion.Current)}");
        run.Error = null;
        claim.SaveChanges();
        events.Report(runId, new LiveProgress("starting", 0, 0, 0, 0, null, null, null, null));
        return (run, config, device);
    }

    /// <summary>This worker cannot train the run as it was asked for (a config key its code does not know: a run a newer
    /// lab queued; a device it does not have). The run stays queued and says why on its page; after
    /// <see cref="WorkerOptions.RetryRefusedSeconds"/> (so that this worker does not take it straight back, while others
    /// may finish what they train) it goes back to the queue for another worker.</summary>
    private void Refuse(RunRecord run, string reason, CancellationToken stop)
    {
        string said = $"waiting for another worker: {WorkerRegistry.ThisProcess} (code {CodeVersion.Short(CodeVersion.Current)}) cannot honour this run: " +
            $"{reason} (the run was queued by code {CodeVersion.Short(run.Provenance.CodeVersion)})";
        using (var db = databases.CreateDbContext())
            db.Runs.Where(r => r.Id == run.Id && r.Status == RunStatus.Queued).ExecuteUpdate(set => set.SetProperty(r => r.Error, said));
        logger.LogWarning("Run {RunId}: {Refusal}", run.Id, said);
        stop.WaitHandle.WaitOne(TimeSpan.FromSeconds(options.Value.Worker.RetryRefusedSeconds));
        if (!CancelRequested(run.Id)) PassOn(run, "refused");
    }

    /// <summary>Gives a queued run a new job for another worker; this job then ends without touching it.</summary>
    private void PassOn(RunRecord run, string why)
    {
        using (var db = databases.CreateDbContext())
            if (db.Runs.Where(r => r.Id == run.Id && r.Status == RunStatus.Queued).ExecuteUpdate(set => set.SetProperty(r => r.JobId, (string?)null)) == 0) return;
        launcher.GiveJob(run.Id, run.Request.Queue);
        logger.LogInformation("Run {RunId} passed on to the next free worker: {Why}", run.Id, why);
    }

    private static string DeviceName(TorchSharp.torch.Device device) =>
        $"{device.type.ToString().ToLowerInvariant()}{(device.index >= 0 ? $":{device.index}" : "")}";

    /// <summary>The libraries and machine a run trained with, for its reproducibility record.</summary>
    private static string Describe(TorchSharp.torch.Device device) =>
        $"device {DeviceName(device)} on {System.Environment.MachineName}; " +
        $".NET {System.Environment.Version}; TorchSharp {typeof(TorchSharp.torch).Assembly.GetName().Version}; " +
        $"{System.Runtime.InteropServices.RuntimeInformation.OSDescription}";

    /// <returns>Whether this worker wrote the run's end (false: another worker has the run).</returns>
    private bool Finish(ProgressRecorder recorder, RunStatus status, string? error, EvaluationReport? report, TestEvaluation? bestOnTest)
    {
        using var db = databases.CreateDbContext();
        var run = db.Runs.Include(r => r.Results).Single(r => r.Id == recorder.RunId);
        if (run.Status != RunStatus.Running || run.Worker != WorkerRegistry.ThisProcess)
        {
            logger.LogWarning("{Reason}", new RunTakenOverException(run).Message);   // another worker has it: its end is not this one's to write
            return false;
        }
        recorder.RecordResources(db, run, final: true);
        run.Status = status;
        run.Error = error;
        run.FinishedAt = status == RunStatus.Queued ? null : DateTime.UtcNow;
        if (status == RunStatus.Queued) run.JobId = null;                         // handed back: its new job follows (GiveJob)
        if (report is not null)
        {
            run.Summary = new RunSummary
            {
                ImageScore = report.ImageScore, Warnings = [.. report.Warnings], MeanImageAuroc = report.Mean.ImageAuroc,
                MeanPixelAuroc = report.Mean.PixelAuroc, MeanAupro = report.Mean.Aupro,
            };
            run.Results.Clear();
            run.Results.AddRange(report.Categories.Select(c => Row(c, false)).Append(Row(report.Mean, true)));
        }
        if (bestOnTest is not null)
            run.BestOnTest = new BestOnTestSummary { Epoch = bestOnTest.Epoch, ImageAuroc = bestOnTest.Mean.ImageAuroc, PixelAuroc = bestOnTest.Mean.PixelAuroc };
        db.SaveChanges();
        return true;
    }

    private static CategoryResult Row(CategoryMetrics m, bool mean) => new()
    {
        Category = mean ? CategoryResult.MeanRow : m.Category, IsMean = mean, TestImages = m.TestImages, AnomalousImages = m.AnomalousImages,
        ImageAuroc = m.ImageAuroc, ImageAp = m.ImageAp, ImageF1Max = m.ImageF1Max,
        PixelAuroc = m.PixelAuroc, PixelAp = m.PixelAp, PixelF1Max = m.PixelF1Max, Aupro = m.Aupro,
    };
}
