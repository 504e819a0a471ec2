using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using UniAD.Core.Training;
using UniAD.Lab.Persistence;
using UniAD.Lab.Runs;

namespace UniAD.Lab.Workers;

/// <summary>Runs whose worker is gone (<see cref="WorkerRegistry.OrphanedRunsAsync"/>): each is marked interrupted, what
/// its writer left half-done is removed, and with <see cref="WorkerOptions.ResumeInterrupted"/> it is queued again for
/// the next free worker, which continues from its last whole checkpoint. Every lab and worker looks, at start and then
/// every heartbeat; where several look at once, one wins each run.</summary>
public sealed class InterruptedRuns(IDbContextFactory<LabDbContext> databases, WorkerRegistry workers, RunLauncher launcher, IOptions<LabOptions> options,
    ILogger<InterruptedRuns>? logger = null)
{
    /// <returns>The runs this call marked interrupted.</returns>
    public async Task<IReadOnlyList<int>> SweepAsync(CancellationToken cancel = default)
    {
        await using var db = await databases.CreateDbContextAsync(cancel);
        var interrupted = new List<int>();
        foreach (var run in await workers.OrphanedRunsAsync(db, cancel))
        {
            // Only while it is still running on the worker that was found gone: of several processes looking, one marks it.
            // Resumed at once, it goes straight back to queued (never read as failed on its way back), with this process
            // as its last worker until its job exists.
            bool resume = options.Value.Worker.ResumeInterrupted;
            int marked = await db.Runs.Where(r => r.Id == run.Id && r.Status == RunStatus.Running && r.Worker == run.Worker).ExecuteUpdateAsync(set => set
                .SetProperty(r => r.Status, resume ? RunStatus.Queued : RunStatus.Failed)
                .SetProperty(r => r.Error, resume ? null : LabInitializer.InterruptedRun)
                .SetProperty(r => r.FinishedAt, resume ? null : DateTime.UtcNow)
                .SetProperty(r => r.JobId, r => resume ? null : r.JobId)
                .SetProperty(r => r.Worker, r => resume ? WorkerRegistry.ThisProcess : r.Worker), cancel);
            if (marked == 0) continue;
            Checkpoint.RemoveAbandonedWrites(new RunFolder(run.Folder).Checkpoint);
            if (resume) await launcher.ResumeInterruptedAsync(run, cancel);
            if (Directory.Exists(run.Folder)) new RunFolder(run.Folder).AppendLog($"interrupted: its worker {run.Worker ?? "(none recorded)"} stopped training it");
            logger?.LogWarning("Run {RunId} was interrupted: its worker {Worker} is gone", run.Id, run.Worker);
            interrupted.Add(run.Id);
        }
        foreach (var run in await workers.StrandedRunsAsync(db, cancel))
        {
            launcher.GiveJob(run.Id, run.Request.Queue);
            logger?.LogWarning("Run {RunId} was queued with no job: {Worker} stopped before giving it one; it has one now", run.Id, run.Worker);
        }
        return interrupted;
    }
}

/// <summary>Looks for interrupted runs every <see cref="WorkerOptions.HeartbeatSeconds"/>, in every lab and worker.</summary>
public sealed class InterruptedRunWatch(InterruptedRuns runs, IOptions<LabOptions> options, ILogger<InterruptedRunWatch> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stop)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(options.Value.Worker.HeartbeatSeconds));
        try
        {
            while (await timer.WaitForNextTickAsync(stop))
            {
                try { await runs.SweepAsync(stop); }
                catch (Exception e) when (e is not OperationCanceledException) { logger.LogWarning(e, "Looking for interrupted runs failed; trying again"); }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested) { }
    }
}
