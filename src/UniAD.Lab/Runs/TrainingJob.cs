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
/// fail again): a failure is recorded with its cause and the user chooses to resume or rerun.</summary>
public sealed class TrainingJob(IDbContextFactory<LabDbContext> databases, RunEvents events, IOptions<LabOptions> options, OfficialImports imports,
    ILogger<TrainingJob> logger, IHostApplicationLifetime? host = null)
{
    [AutomaticRetry(Attempts = 0, OnAttemptsExceeded = AttemptsExceededAction.Fail)]
    public void Run(int runId, CancellationToken cancel)
    {
        var run = Start(runId);
        if (run is null) return;
        var device = DeviceSelector.Resolve(run.Request.Device);
        using var resources = new ResourceSampler(runId, TimeSpan.FromSeconds(options.Value.ResourceSampleSeconds), run.Cost.WallSeconds ?? 0,
            device.type == TorchSharp.DeviceType.CUDA ? Math.Max(0, (int)device.index) : null);
        var folder = new RunFolder(run.Folder);
        var recorder = new ProgressRecorder(runId, folder, databases, events, resources);
        try
        {
            folder.AppendLog($"started on {WorkerRegistry.ThisProcess}, device {run.Request.Device}, seed {run.Request.Seed}");
            var config = UniadConfig.FromJson(run.Request.ConfigJson);
            var dataset = DatasetVersion.Open(run.Dataset!.Folder).Load(run.Request.ClassFolder())
                .WithCategories(run.Request.Categories.Count > 0 ? run.Request.Categories : null);
            var request = new ExperimentRequest(config, dataset, run.Folder, device,
                options.Value.FeatureCacheFolder, Resume: Checkpoint.Exists(folder.Checkpoint));
            var result = run.IsImported
                ? imports.Evaluate(run, dataset, device, recorder.Hooks, cancel)
                : Experiment.Run(request, recorder.Hooks, cancel);
            recorder.Complete(result);
            Finish(recorder, RunStatus.Finished, null, result.Report, result.BestOnTest);
            folder.AppendLog("finished" + (result.Report is { } r ? FormattableString.Invariant($": mean image AUROC {100 * r.Mean.ImageAuroc:F1}") : ""));
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            recorder.Flush();
            if (CancelRequested(runId))
            {
                Finish(recorder, RunStatus.Cancelled, null, null, null);
                folder.AppendLog("cancelled; resume continues from the last checkpoint");
            }
            else if (host?.ApplicationStopping.IsCancellationRequested == true)
            {
                // The process is stopping (SIGTERM, a restart): the run goes back to the queue, not to failed, and the
                // job with it when it is rethrown (Hangfire puts a job a stopping server cancelled at the head of its
                // queue); the next free worker continues from the last checkpoint.
                Finish(recorder, RunStatus.Queued, null, null, null);
                folder.AppendLog($"handed back: {WorkerRegistry.ThisProcess} is stopping; the next free worker continues from the last checkpoint");
                throw;
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

    /// <summary>Marks the run running and returns it, or null when there is nothing to do.</summary>
    private RunRecord? Start(int runId)
    {
        using var db = databases.CreateDbContext();
        var run = db.Runs.Include(r => r.Dataset).SingleOrDefault(r => r.Id == runId);
        // Only a queued run starts (or a running one this process was training when Hangfire handed it the job again);
        // a run another worker trains is its own, and one marked interrupted is queued again by a resume.
        bool mine = run?.Status == RunStatus.Running && (run.Worker is null || run.Worker == WorkerRegistry.ThisProcess);
        if (run is null || !(run.Status == RunStatus.Queued || mine)) return null;
        var device = DeviceSelector.Resolve(run.Request.Device);
        run.Status = RunStatus.Running;
        run.StartedAt ??= DateTime.UtcNow;
        run.Provenance.Environment = Describe(device);
        run.Worker = WorkerRegistry.ThisProcess;
        run.TrainedOn.Add($"{DateTime.UtcNow:yyyy-MM-dd HH:mm:ss}Z {WorkerRegistry.ThisProcess} on {DeviceName(device)}");
        run.Error = null;
        db.SaveChanges();
        events.Report(runId, new LiveProgress("starting", 0, 0, 0, 0, null, null, null, null));
        return run;
    }

    private static string DeviceName(TorchSharp.torch.Device device) =>
        $"{device.type.ToString().ToLowerInvariant()}{(device.index >= 0 ? $":{device.index}" : "")}";

    /// <summary>The libraries and machine a run trained with, for its reproducibility record.</summary>
    private static string Describe(TorchSharp.torch.Device device) =>
        $"device {DeviceName(device)} on {System.Environment.MachineName}; " +
        $".NET {System.Environment.Version}; TorchSharp {typeof(TorchSharp.torch).Assembly.GetName().Version}; " +
        $"{System.Runtime.InteropServices.RuntimeInformation.OSDescription}";

    private void Finish(ProgressRecorder recorder, RunStatus status, string? error, EvaluationReport? report, TestEvaluation? bestOnTest)
    {
        using var db = databases.CreateDbContext();
        var run = db.Runs.Include(r => r.Results).Single(r => r.Id == recorder.RunId);
        if (run.Status != RunStatus.Running || run.Worker != WorkerRegistry.ThisProcess)
        {
            logger.LogWarning("{Reason}", new RunTakenOverException(run).Message);   // another worker has it: its end is not this one's to write
            return;
        }
        recorder.RecordResources(db, run, final: true);
        run.Status = status;
        run.Error = error;
        run.FinishedAt = status == RunStatus.Queued ? null : DateTime.UtcNow;
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
    }

    private static CategoryResult Row(CategoryMetrics m, bool mean) => new()
    {
        Category = mean ? CategoryResult.MeanRow : m.Category, IsMean = mean, TestImages = m.TestImages, AnomalousImages = m.AnomalousImages,
        ImageAuroc = m.ImageAuroc, ImageAp = m.ImageAp, ImageF1Max = m.ImageF1Max,
        PixelAuroc = m.PixelAuroc, PixelAp = m.PixelAp, PixelF1Max = m.PixelF1Max, Aupro = m.Aupro,
    };
}
