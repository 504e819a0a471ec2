using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using UniAD.Core;
using UniAD.Core.Configuration;
using UniAD.Lab.Accounts;
using UniAD.Lab.Persistence;
using UniAD.Lab.Runs;

namespace UniAD.Lab.Workers;

/// <summary>A worker as the Workers page shows it: what it is, whether it is alive, and the run it is training.</summary>
/// <param name="State"><c>live</c>, <c>draining</c> (live, taking no new run), <c>stopped</c> (it stopped on its own) or
/// <c>silent</c> (no heartbeat for longer than <see cref="WorkerOptions.DeadAfterSeconds"/>: taken for dead).</param>
public sealed record WorkerRow(string Name, string Host, IReadOnlyList<string> Devices, IReadOnlyList<string> Queues, string CodeVersion,
    DateTime StartedAt, DateTime LastHeartbeat, DateTime? StoppedAt, string State, int? RunId, string? RunName);

/// <summary>The processes that train, as each registers itself and beats (<see cref="WorkerHeartbeat"/>), on the lab's
/// database, so that a lab and workers on several machines see one another.</summary>
public sealed class WorkerRegistry(IDbContextFactory<LabDbContext> databases, IOptions<LabOptions> options, LabAudit audit)
{
    /// <summary>This process as a worker: <c>host:pid</c>.</summary>
    public static string ThisProcess { get; } = $"{Environment.MachineName}:{Environment.ProcessId}";

    private TimeSpan DeadAfter => TimeSpan.FromSeconds(options.Value.Worker.DeadAfterSeconds);

    /// <summary>Registers this process as a worker on <paramref name="queues"/> (again, when it restarted its host).</summary>
    public async Task RegisterAsync(IReadOnlyList<string> queues, CancellationToken cancel = default)
    {
        await using var db = await databases.CreateDbContextAsync(cancel);
        var now = DateTime.UtcNow;
        var me = await db.Workers.SingleOrDefaultAsync(w => w.Name == ThisProcess, cancel);
        if (me is null) db.Workers.Add(me = new WorkerRecord { Name = ThisProcess, Host = Environment.MachineName, CodeVersion = CodeVersion.Current });
        (me.ProcessId, me.Devices, me.Queues, me.CodeVersion) = (Environment.ProcessId, Devices(options.Value.Device), [.. queues], CodeVersion.Current);
        (me.StartedAt, me.LastHeartbeat, me.StoppedAt) = (now, now, null);
        await db.SaveChangesAsync(cancel);
    }

    /// <returns>Whether an admin asked this process to take no new run.</returns>
    public async Task<bool> BeatAsync(CancellationToken cancel = default)
    {
        await using var db = await databases.CreateDbContextAsync(cancel);
        await db.Workers.Where(w => w.Name == ThisProcess).ExecuteUpdateAsync(set => set.SetProperty(w => w.LastHeartbeat, DateTime.UtcNow), cancel);
        return await DrainingAsync(db, cancel);
    }

    /// <summary>Whether an admin asked this process to take no new run (read as a run is about to start, so that a drain
    /// holds from the moment it is asked, not from the next heartbeat).</summary>
    public bool Draining()
    {
        using var db = databases.CreateDbContext();
        return db.Workers.Where(w => w.Name == ThisProcess).Select(w => w.Draining).SingleOrDefault();
    }

    private static Task<bool> DrainingAsync(LabDbContext db, CancellationToken cancel) =>
        db.Workers.Where(w => w.Name == ThisProcess).Select(w => w.Draining).SingleOrDefaultAsync(cancel);

    /// <summary>Asks <paramref name="name"/> to take no new run (<paramref name="drain"/>), or to take runs again. The run
    /// it trains is not touched; a drained worker idles, heartbeating, until it is stopped or the drain is lifted.</summary>
    /// <exception cref="NotFoundException">No worker of that name was seen this week.</exception>
    /// <exception cref="ConflictException">It has stopped or fallen silent: there is nothing to drain.</exception>
    /// <exception cref="ForbiddenException">The actor is not an admin.</exception>
    public async Task SetDrainingAsync(string name, bool drain, LabActor actor, CancellationToken cancel = default)
    {
        actor.DemandAdmin(drain ? "drain a worker" : "lift a worker's drain");
        await using var db = await databases.CreateDbContextAsync(cancel);
        var now = DateTime.UtcNow;
        var worker = (await SeenThisWeekAsync(db, now, cancel)).SingleOrDefault(w => w.Name == name)
            ?? throw new NotFoundException($"no worker '{name}' was seen this week (the Workers page lists them)");
        if (StateOf(worker, now) is "stopped" or "silent")
            throw new ConflictException($"worker '{name}' is {StateOf(worker, now)}: it takes no run as it is");
        await db.Workers.Where(w => w.Name == name).ExecuteUpdateAsync(set => set.SetProperty(w => w.Draining, drain), cancel);
        audit.Add(db, actor, drain ? "worker.drained" : "worker.undrained", $"worker {name}");
        await db.SaveChangesAsync(cancel);
    }

    public async Task StoppedAsync(CancellationToken cancel = default)
    {
        await using var db = await databases.CreateDbContextAsync(cancel);
        await db.Workers.Where(w => w.Name == ThisProcess).ExecuteUpdateAsync(set => set.SetProperty(w => w.StoppedAt, DateTime.UtcNow), cancel);
    }

    /// <summary>Every worker seen in the last week, live ones first, each with the run it is training.</summary>
    public async Task<IReadOnlyList<WorkerRow>> ListAsync(CancellationToken cancel = default)
    {
        await using var db = await databases.CreateDbContextAsync(cancel);
        var now = DateTime.UtcNow;
        var workers = await SeenThisWeekAsync(db, now, cancel);
        var training = await db.Runs.AsNoTracking().Where(r => r.Status == RunStatus.Running && r.Worker != null)
            .Select(r => new { r.Id, r.Name, r.Worker }).ToListAsync(cancel);
        return [.. workers.Select(w =>
            {
                var run = training.FirstOrDefault(r => r.Worker == w.Name);
                return new WorkerRow(w.Name, w.Host, w.Devices, w.Queues, w.CodeVersion, w.StartedAt, w.LastHeartbeat, w.StoppedAt,
                    StateOf(w, now), run?.Id, run?.Name);
            })
            .OrderBy(w => w.State is not ("live" or "draining")).ThenBy(w => w.Name, StringComparer.Ordinal)];
    }

    /// <summary>The queues a run may name (training, this lab's own, and every queue a worker seen this week serves),
    /// and those a live worker takes runs from now.</summary>
    public async Task<(IReadOnlyList<string> Known, IReadOnlyList<string> Live)> QueuesAsync(CancellationToken cancel = default)
    {
        // Asked by every plan of a run (each change on the New run form): the workers' rows alone, not the runs they train.
        await using var db = await databases.CreateDbContextAsync(cancel);
        var now = DateTime.UtcNow;
        var seen = await SeenThisWeekAsync(db, now, cancel);
        var others = seen.SelectMany(w => w.Queues).Except(options.Value.Workers.Keys).Order(StringComparer.Ordinal);
        return ([.. new[] { Queues.Training }.Concat(options.Value.Workers.Keys).Concat(others).Distinct()],
                [.. seen.Where(w => StateOf(w, now) == "live").SelectMany(w => w.Queues).Distinct().Order(StringComparer.Ordinal)]);
    }

    private static Task<List<WorkerRecord>> SeenThisWeekAsync(LabDbContext db, DateTime now, CancellationToken cancel)
    {
        var since = now.AddDays(-7);
        return db.Workers.AsNoTracking().Where(w => w.LastHeartbeat > since).ToListAsync(cancel);
    }

    private string StateOf(WorkerRecord worker, DateTime now) =>
        worker.StoppedAt is not null ? "stopped" : now - worker.LastHeartbeat > DeadAfter ? "silent" : worker.Draining ? "draining" : "live";

    /// <summary>Runs marked running whose worker is gone: it stopped, fell silent, is not registered, or is a process on
    /// this machine that has ended (a restart here, which is known at once). Their training ended half-way.</summary>
    public async Task<IReadOnlyList<RunRecord>> OrphanedRunsAsync(LabDbContext db, CancellationToken cancel = default)
    {
        var running = await db.Runs.AsNoTracking().Where(r => r.Status == RunStatus.Running).ToListAsync(cancel);
        var gone = await GoneAsync(db, running, cancel);
        return [.. running.Where(r => r.Worker is null || gone.Contains(r.Worker))];
    }

    /// <summary>Runs saved queued with no job by a process that is gone: it died between handing the run back (or resuming
    /// it) and giving it its job. While that process lives, the job is on its way. A new run has no worker: it is
    /// stranded once it has waited as long as a silent worker takes to be taken for dead.</summary>
    public async Task<IReadOnlyList<RunRecord>> StrandedRunsAsync(LabDbContext db, CancellationToken cancel = default)
    {
        // A new run has no folder until it is saved with it, just before its job is made (RunLauncher): not stranded.
        var queued = await db.Runs.AsNoTracking().Where(r => r.Status == RunStatus.Queued && r.JobId == null && r.Folder != "").ToListAsync(cancel);
        var gone = await GoneAsync(db, queued, cancel);
        var now = DateTime.UtcNow;
        return [.. queued.Where(r => r.Worker is null ? now - r.CreatedAt > DeadAfter : gone.Contains(r.Worker))];
    }

    /// <summary>The workers of <paramref name="runs"/> that are gone: stopped, silent, not registered, or ended here.</summary>
    private async Task<HashSet<string>> GoneAsync(LabDbContext db, IReadOnlyList<RunRecord> runs, CancellationToken cancel)
    {
        var now = DateTime.UtcNow;
        var names = runs.Select(r => r.Worker).OfType<string>().Distinct().ToList();
        var workers = await db.Workers.AsNoTracking().Where(w => names.Contains(w.Name)).ToDictionaryAsync(w => w.Name, cancel);
        return [.. names.Where(name => !workers.TryGetValue(name, out var w) || StateOf(w, now) is not ("live" or "draining") || EndedHere(w))];
    }

    /// <summary>A worker of this machine whose process is gone (or is another process that took its id since).</summary>
    private static bool EndedHere(WorkerRecord worker)
    {
        if (worker.Host != Environment.MachineName) return false;
        try
        {
            using var process = Process.GetProcessById(worker.ProcessId);
            return process.StartTime.ToUniversalTime() > worker.StartedAt.AddSeconds(5);
        }
        catch (ArgumentException) { return true; }
    }

    /// <summary>What this process trains on, each device with its name and memory.</summary>
    private static List<string> Devices(string preference)
    {
        var device = DeviceSelector.Resolve(preference);
        if (device.type != TorchSharp.DeviceType.CUDA)
            return [FormattableString.Invariant($"cpu, {Environment.ProcessorCount} cores, {GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / 1e9:F0} GB")];
        var indices = device.index >= 0 ? [(int)device.index] : Enumerable.Range(0, DeviceSelector.GpuCount(preference));
        // A worker's processes each see one GPU, as their cuda:0: say which of the machine's it is.
        string visible = Environment.GetEnvironmentVariable("CUDA_VISIBLE_DEVICES") is { Length: > 0 } listed ? $" (CUDA_VISIBLE_DEVICES={listed})" : "";
        return [.. indices.Select(i => $"cuda:{i} {Nvml.Describe(i) ?? "(NVIDIA management library not found)"}{visible}")];
    }
}
