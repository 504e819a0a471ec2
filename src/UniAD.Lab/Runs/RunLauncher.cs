using Hangfire;
using Hangfire.States;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using UniAD.Core;
using UniAD.Lab.Accounts;
using UniAD.Lab.Persistence;
using UniAD.Lab.Studies;
using UniAD.Lab.Workers;

namespace UniAD.Lab.Runs;

/// <summary>Stores checked plans as runs and hands them to Hangfire; cancels and resumes them. Every queue request comes
/// through <see cref="RunRequests"/>, which checks it first.</summary>
public sealed class RunLauncher(IDbContextFactory<LabDbContext> databases, IBackgroundJobClient jobs, RunEvents events, IOptions<LabOptions> options,
    LabAudit audit)
{
    /// <summary>One run per planned seed, in one group when there are several.</summary>
    internal async Task<IReadOnlyList<int>> QueueAsync(RunPlan plan, string user, CancellationToken cancel)
    {
        await using var db = await databases.CreateDbContextAsync(cancel);
        string group = plan.Runs.Count > 1 ? $"{plan.Spec.Name} ({DateTime.UtcNow:yyyy-MM-dd HH:mm:ss})" : "";
        var runs = plan.Runs.Select(planned => Record(plan.Spec, planned, group, user)).ToList();
        db.Runs.AddRange(runs);
        await db.SaveChangesAsync(cancel);
        audit.Add(db, user, "run.queued", LabAudit.Runs([.. runs.Select(r => r.Id)]), plan.Spec.Name ?? "");
        await EnqueueAsync(db, runs);
        return runs.Select(r => r.Id).ToList();
    }

    /// <summary>The study and all its runs (variants × seeds) in one transaction, then handed to the job queue.</summary>
    internal async Task<int> QueueAsync(StudyPlan plan, string user, CancellationToken cancel)
    {
        var spec = plan.Base.Spec;
        var study = new StudyRecord
        {
            Name = spec.Name!, Kind = plan.Spec.Kind, DatasetId = spec.DatasetId!.Value, Categories = [.. spec.Categories!],
            NormalClasses = [.. spec.NormalClasses!], Preset = spec.PresetOrDefault, BaseConfigJson = plan.Base.Config!.ToJson(),
            Variants = [.. plan.Variants], Baseline = plan.Baseline, Seeds = [.. spec.Seeds!], SweepAxes = [.. plan.Spec.Sweep ?? []],
            Device = spec.Device!, Queue = spec.Queue!, CreatedAt = DateTime.UtcNow, CreatedBy = user,
        };
        study.Runs.AddRange(plan.Runs.Select(planned => Record(spec, planned, "", user)));
        await using var db = await databases.CreateDbContextAsync(cancel);
        db.Studies.Add(study);
        await db.SaveChangesAsync(cancel);                                          // the study and every run, or nothing
        foreach (var run in study.Runs) run.Group = $"study {study.Id}: {run.Variant}";
        audit.Add(db, user, "study.queued", $"study {study.Id}", $"{study.Name}: {study.Runs.Count} runs");
        await EnqueueAsync(db, study.Runs);
        return study.Id;
    }

    private static RunRecord Record(RunSpec spec, PlannedRun planned, string group, string user) => new()
    {
        Name = planned.Name, Group = group, Variant = planned.Variant, DatasetId = spec.DatasetId!.Value, Status = RunStatus.Queued,
        CreatedAt = DateTime.UtcNow, CreatedBy = user,
        Request = new RunRequest
        {
            Categories = [.. spec.Categories!], NormalClasses = [.. spec.NormalClasses!], Preset = spec.PresetOrDefault,
            Ablation = spec.AblationOrDefault, ConfigJson = planned.Config.ToJson(), Seed = planned.Seed, Device = spec.Device!, Queue = spec.Queue!,
        },
        Progress = new RunProgress { TotalEpochs = planned.Config.Training.Epochs },
        Provenance = new RunProvenance { CodeVersion = CodeVersion.Current },
    };

    /// <summary>Gives saved runs their folders, saves them, then hands them to the job queue: a job can start the moment
    /// it exists (a job storage wakes its own process's idle workers at once), and it must find its run queued with its
    /// folder. Once saved with their folders the runs are kept whatever happens to the request.</summary>
    private async Task EnqueueAsync(LabDbContext db, IReadOnlyList<RunRecord> runs)
    {
        foreach (var run in runs) run.Folder = FolderOf(run);
        await db.SaveChangesAsync(CancellationToken.None);
        foreach (var run in runs) GiveJob(run.Id, run.Request.Queue);
    }

    /// <summary>Saves one run, lets <paramref name="prepare"/> put what its job needs into its folder, then queues it. A run
    /// whose folder could not be prepared is not kept.</summary>
    internal async Task<int> QueuePreparedAsync(RunRecord run, Action<string> prepare, CancellationToken cancel)
    {
        await using var db = await databases.CreateDbContextAsync(cancel);
        db.Runs.Add(run);
        await db.SaveChangesAsync(cancel);
        try { prepare(FolderOf(run)); }
        catch
        {
            db.Runs.Remove(run);
            await db.SaveChangesAsync(CancellationToken.None);
            throw;
        }
        audit.Add(db, run.CreatedBy, "run.imported", $"run {run.Id}", run.Name);
        await EnqueueAsync(db, [run]);
        return run.Id;
    }

    private string FolderOf(RunRecord run) => Path.GetFullPath(Path.Combine(options.Value.RunsFolder, $"{run.Id}"));

    /// <summary>Stops a queued or running run; a running one stops between batches and keeps its last checkpoint.</summary>
    /// <exception cref="NotFoundException">No such run.</exception>
    /// <exception cref="ForbiddenException">Another's run, and the actor is not an admin.</exception>
    public async Task CancelAsync(int runId, LabActor actor, CancellationToken cancel = default)
    {
        if (await CancelAsync(new RunSelection([runId]), actor, cancel) == 0 && !await ExistsAsync(runId, cancel))
            throw new NotFoundException($"run {runId} does not exist");
    }

    /// <summary>Cancels every queued or running run of the selection in one transaction (runs that already ended are left
    /// as they are), then tells the job server: a running job stops between batches, a queued one is never started.</summary>
    /// <returns>How many runs were cancelled.</returns>
    /// <exception cref="UserException">A selection of more runs than a request may take.</exception>
    /// <exception cref="NotFoundException">A study that does not exist.</exception>
    /// <exception cref="ForbiddenException">Some of the runs are another's, and the actor is not an admin: none is cancelled.</exception>
    public async Task<int> CancelAsync(RunSelection selection, LabActor actor, CancellationToken cancel = default)
    {
        var limit = options.Value.Limits.RunsPerBulkAction;
        if (selection.Ids is { Count: var count } && count > limit)
            throw new UserException($"{count:N0} runs named; one request names at most {limit:N0} (Lab:Limits:RunsPerBulkAction): cancel their group or study instead");
        await using var db = await databases.CreateDbContextAsync(cancel);
        var runs = await Selected(db, selection).Where(r => r.Status == RunStatus.Queued || r.Status == RunStatus.Running).ToListAsync(cancel);
        if (runs.Count == 0 && selection.StudyId is int studyId && !await db.Studies.AnyAsync(s => s.Id == studyId, cancel))
            throw new NotFoundException($"study {studyId} does not exist");
        RunOwnership.Demand(actor, runs, "cancel");
        var now = DateTime.UtcNow;
        foreach (var run in runs)
        {
            (run.CancelRequested, run.CancelledBy) = (true, actor.Name);
            if (run.Status == RunStatus.Queued) (run.Status, run.FinishedAt) = (RunStatus.Cancelled, now);
        }
        if (runs.Count > 0) audit.Add(db, actor, "run.cancelled", LabAudit.Runs([.. runs.Select(r => r.Id)]));
        await db.SaveChangesAsync(cancel);                  // before the jobs hear of it, so each knows the user asked
        foreach (var run in runs)
        {
            if (run.JobId is not null) jobs.Delete(run.JobId);
            events.Ended(run.Id);
        }
        return runs.Count;
    }

    private static IQueryable<RunRecord> Selected(LabDbContext db, RunSelection selection)
    {
        if (new object?[] { selection.Ids, selection.Group, selection.StudyId }.Count(x => x is not null) != 1)
            throw new UserException("select the runs by their ids, their group or their study (one of the three)");
        if (selection.Group is { } named && string.IsNullOrWhiteSpace(named))
            throw new UserException("a group needs its name: runs queued on their own have none");
        return selection switch
        {
            { Ids: { } ids } => db.Runs.Where(r => ids.Contains(r.Id)),
            { Group: { } group } => db.Runs.Where(r => r.Group == group),
            _ => db.Runs.Where(r => r.StudyId == selection.StudyId),
        };
    }

    /// <summary>Queues a failed or cancelled run again; training continues from its last checkpoint.</summary>
    /// <exception cref="NotFoundException">No such run.</exception>
    /// <exception cref="ConflictException">The run is queued, running or finished.</exception>
    /// <exception cref="ForbiddenException">Another's run, and the actor is not an admin.</exception>
    public async Task ResumeAsync(int runId, LabActor actor, CancellationToken cancel = default)
    {
        await using var db = await databases.CreateDbContextAsync(cancel);
        var run = await db.Runs.SingleOrDefaultAsync(r => r.Id == runId, cancel) ?? throw new NotFoundException($"run {runId} does not exist");
        RunOwnership.Demand(actor, [run], "resume");
        if (run.Status is not (RunStatus.Failed or RunStatus.Cancelled))
            throw new ConflictException($"run {runId} is {run.Status.ToString().ToLowerInvariant()}; only failed or cancelled runs resume");
        run.Status = RunStatus.Queued;
        run.FinishedAt = null;
        run.Error = null;
        (run.CancelRequested, run.CancelledBy) = (false, null);
        // Saved queued before its job exists (see GiveJob), with this process as its last worker until then.
        (run.JobId, run.Worker) = (null, WorkerRegistry.ThisProcess);
        audit.Add(db, actor, "run.resumed", $"run {runId}");
        await db.SaveChangesAsync(cancel);
        GiveJob(runId, run.Request.Queue);
    }

    /// <summary>Queues a run its worker left interrupted again, for the next free worker (<see cref="WorkerOptions.ResumeInterrupted"/>):
    /// the caller has saved it queued with no job; its old job, which a worker that was only taken for dead may still
    /// hold, is deleted.</summary>
    internal async Task ResumeInterruptedAsync(RunRecord interrupted, CancellationToken cancel)
    {
        if (interrupted.JobId is not null) jobs.Delete(interrupted.JobId);
        await audit.RecordAsync("lab", "run.resumed", $"run {interrupted.Id}", $"its worker {interrupted.Worker} stopped (Lab:Worker:ResumeInterrupted)");
        GiveJob(interrupted.Id, interrupted.Request.Queue);
    }

    /// <summary>Gives a run saved queued with no job (handed back by its worker, or resumed) a job for the next free worker.
    /// The run is queued in the database before its job exists, so that whichever worker takes the job finds it queued.
    /// Where two processes give it one at once (one took the other for dead), the first recorded is its job, and the
    /// other finds the run taken and does nothing (<see cref="TrainingJob"/> claims a run in one conditional update).</summary>
    internal void GiveJob(int runId, string queue)
    {
        string job = Enqueue(runId, queue);
        using var db = databases.CreateDbContext();
        db.Runs.Where(r => r.Id == runId && r.Status == RunStatus.Queued && r.JobId == null).ExecuteUpdate(set => set.SetProperty(r => r.JobId, job));
        events.Ended(runId);
    }

    /// <summary>Gives every queued run a new job: after its rows moved into a database whose job storage holds none of
    /// their jobs (<see cref="DatabaseMove"/>).</summary>
    /// <returns>How many runs were queued again.</returns>
    public async Task<int> RequeueQueuedAsync(CancellationToken cancel = default)
    {
        await using var db = await databases.CreateDbContextAsync(cancel);
        var runs = await db.Runs.Where(r => r.Status == RunStatus.Queued).OrderBy(r => r.Id).ToListAsync(cancel);
        foreach (var run in runs) run.JobId = Enqueue(run);
        await db.SaveChangesAsync(CancellationToken.None);
        return runs.Count;
    }

    private async Task<bool> ExistsAsync(int runId, CancellationToken cancel)
    {
        await using var db = await databases.CreateDbContextAsync(cancel);
        return await db.Runs.AnyAsync(r => r.Id == runId, cancel);
    }

    private string Enqueue(RunRecord run) => Enqueue(run.Id, run.Request.Queue);

    private string Enqueue(int runId, string queue) => jobs.Create<TrainingJob>(job => job.Run(runId, CancellationToken.None), new EnqueuedState(queue));
}
