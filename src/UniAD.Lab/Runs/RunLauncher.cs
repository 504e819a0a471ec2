using System.Diagnostics;
using Hangfire;
using Hangfire.States;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using UniAD.Core;
using UniAD.Core.Configuration;
using UniAD.Lab.Persistence;

namespace UniAD.Lab.Runs;

/// <summary>What the New run form asks for: one run per seed, all in one group.</summary>
public sealed record RunRequest(
    int DatasetId, UniadConfig Config, IReadOnlyList<int> Seeds, string Name, string Preset,
    IReadOnlyList<string>? Categories = null, string NormalClasses = "", string Device = "auto",
    string Queue = Queues.Training, string User = "");

/// <summary>Creates runs and hands them to Hangfire; cancels and resumes them.</summary>
public sealed class RunLauncher(IDbContextFactory<LabDbContext> databases, IBackgroundJobClient jobs, RunEvents events, IOptions<LabOptions> options)
{
    public async Task<IReadOnlyList<int>> QueueAsync(RunRequest request, CancellationToken cancel = default)
    {
        await using var db = await databases.CreateDbContextAsync(cancel);
        if (!await db.Datasets.AnyAsync(d => d.Id == request.DatasetId, cancel))
            throw new NotFoundException($"dataset {request.DatasetId} does not exist");
        string group = request.Seeds.Count > 1 ? $"{request.Name} ({DateTime.UtcNow:yyyy-MM-dd HH:mm:ss})" : "";
        var runs = Records(request, group, request.Seeds.Count > 1 ? seed => $"{request.Name} seed {seed}" : _ => request.Name);
        db.Runs.AddRange(runs);
        await db.SaveChangesAsync(cancel);
        await EnqueueAsync(db, runs, cancel);
        return runs.Select(r => r.Id).ToList();
    }

    /// <summary>The runs a request asks for, one per seed, not yet saved.</summary>
    internal static List<RunRecord> Records(RunRequest request, string group, Func<int, string> name)
    {
        if (request.Seeds.Count == 0) throw new UserException("give at least one seed");
        if (string.IsNullOrWhiteSpace(request.Name)) throw new UserException("give the run a name");
        ConfigRules.Check(request.Config);                                 // the last gate before anything is stored
        return request.Seeds.Select(seed => new RunRecord
        {
            Name = name(seed), Group = group, DatasetId = request.DatasetId, Preset = request.Preset,
            Categories = string.Join(',', request.Categories ?? []), NormalClasses = request.NormalClasses,
            ConfigJson = (request.Config with { Training = request.Config.Training with { Seed = seed } }).ToJson(),
            Seed = seed, Device = request.Device, Queue = request.Queue, Status = RunStatus.Queued,
            TotalEpochs = request.Config.Training.Epochs, CreatedAt = DateTime.UtcNow, CreatedBy = request.User,
            CodeVersion = CodeVersion.Current,
        }).ToList();
    }

    /// <summary>Gives saved runs their folders and hands them to the job queue.</summary>
    internal async Task EnqueueAsync(LabDbContext db, IEnumerable<RunRecord> runs, CancellationToken cancel)
    {
        foreach (var run in runs)
        {
            run.Folder = FolderOf(run);
            run.JobId = Enqueue(run);
        }
        await db.SaveChangesAsync(cancel);
    }

    /// <summary>Saves one run, lets <paramref name="prepare"/> put what its job needs into its folder, then queues it. A run
    /// whose folder could not be prepared is not kept.</summary>
    internal async Task<int> QueuePreparedAsync(RunRecord run, Action<string> prepare, CancellationToken cancel)
    {
        await using var db = await databases.CreateDbContextAsync(cancel);
        db.Runs.Add(run);
        await db.SaveChangesAsync(cancel);
        run.Folder = FolderOf(run);
        try { prepare(run.Folder); }
        catch
        {
            db.Runs.Remove(run);
            await db.SaveChangesAsync(CancellationToken.None);
            throw;
        }
        run.JobId = Enqueue(run);
        await db.SaveChangesAsync(cancel);
        return run.Id;
    }

    private string FolderOf(RunRecord run) => Path.GetFullPath(Path.Combine(options.Value.RunsFolder, $"{run.Id}"));

    /// <summary>Stops a queued or running run; a running one stops between batches and keeps its last checkpoint.</summary>
    public async Task CancelAsync(int runId, CancellationToken cancel = default)
    {
        await using var db = await databases.CreateDbContextAsync(cancel);
        var run = await db.Runs.SingleAsync(r => r.Id == runId, cancel);
        if (run.Status is not (RunStatus.Queued or RunStatus.Running)) return;
        run.CancelRequested = true;
        if (run.Status == RunStatus.Queued) (run.Status, run.FinishedAt) = (RunStatus.Cancelled, DateTime.UtcNow);
        await db.SaveChangesAsync(cancel);                  // before the job hears of it, so it knows the user asked
        if (run.JobId is not null) jobs.Delete(run.JobId);
        events.Ended(runId);
    }

    /// <summary>Queues a failed or cancelled run again; training continues from its last checkpoint.</summary>
    public async Task ResumeAsync(int runId, CancellationToken cancel = default)
    {
        await using var db = await databases.CreateDbContextAsync(cancel);
        var run = await db.Runs.SingleAsync(r => r.Id == runId, cancel);
        if (run.Status is not (RunStatus.Failed or RunStatus.Cancelled))
            throw new ConflictException($"run {runId} is {run.Status}; only failed or cancelled runs resume");
        run.Status = RunStatus.Queued;
        run.FinishedAt = null;
        run.Error = null;
        run.CancelRequested = false;
        run.JobId = Enqueue(run);
        await db.SaveChangesAsync(cancel);
        events.Ended(runId);
    }

    private string Enqueue(RunRecord run) =>
        jobs.Create<TrainingJob>(job => job.Run(run.Id, CancellationToken.None), new EnqueuedState(run.Queue));
}

/// <summary>The git commit the lab runs from, recorded with every run.</summary>
public static class CodeVersion
{
    public static string Current { get; } = Detect();

    private static string Detect()
    {
        try
        {
            using var git = Process.Start(new ProcessStartInfo("git", "rev-parse HEAD") { RedirectStandardOutput = true, RedirectStandardError = true })!;
            string commit = git.StandardOutput.ReadToEnd().Trim();
            git.WaitForExit();
            return git.ExitCode == 0 ? commit : "unknown";
        }
        catch (System.ComponentModel.Win32Exception) { return "unknown (git not installed)"; }
    }
}
