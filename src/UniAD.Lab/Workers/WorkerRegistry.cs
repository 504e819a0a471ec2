using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using UniAD.Core.Configuration;
using UniAD.Lab.Persistence;
using UniAD.Lab.Runs;

namespace UniAD.Lab.Workers;

/// <summary>A worker as the Workers page shows it: what it is, whether it is alive, and the run it is training.</summary>
/// <param name="State"><c>live</c>, <c>stopped</c> (it stopped on its own) or <c>silent</c> (no heartbeat for longer than
/// <see cref="WorkerOptions.DeadAfterSeconds"/>: taken for dead).</param>
public sealed record WorkerRow(string Name, string Host, IReadOnlyList<string> Devices, IReadOnlyList<string> Queues, string CodeVersion,
    DateTime StartedAt, DateTime LastHeartbeat, DateTime? StoppedAt, string State, int? RunId, string? RunName);

/// <summary>The processes that train, as each registers itself and beats (<see cref="WorkerHeartbeat"/>), on the lab's
/// database, so that a lab and workers on several machines see one another.</summary>
public sealed class WorkerRegistry(IDbContextFactory<LabDbContext> databases, IOptions<LabOptions> options)
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

    public async Task BeatAsync(CancellationToken cancel = default)
    {
        await using var db = await databases.CreateDbContextAsync(cancel);
        await db.Workers.Where(w => w.Name == ThisProcess).ExecuteUpdateAsync(set => set.SetProperty(w => w.LastHeartbeat, DateTime.UtcNow), cancel);
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
            .OrderBy(w => w.State != "live").ThenBy(w => w.Name, StringComparer.Ordinal)];
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
        worker.StoppedAt is not null ? "stopped" : now - worker.LastHeartbeat > DeadAfter ? "silent" : "live";

    /// <summary>Runs marked running whose worker is gone: it stopped, fell silent, is not registered, or is a process on
    /// this machine that has ended (a restart here, which is known at once). Their training ended half-way.</summary>
    public async Task<IReadOnlyList<RunRecord>> OrphanedRunsAsync(LabDbContext db, CancellationToken cancel = default)
    {
        var now = DateTime.UtcNow;
        var running = await db.Runs.AsNoTracking().Where(r => r.Status == RunStatus.Running).ToListAsync(cancel);
        var names = running.Select(r => r.Worker).OfType<string>().Distinct().ToList();
        var workers = await db.Workers.AsNoTracking().Where(w => names.Contains(w.Name)).ToDictionaryAsync(w => w.Name, cancel);
        return [.. running.Where(r => r.Worker is null || !workers.TryGetValue(r.Worker, out var w) || StateOf(w, now) != "live" || EndedHere(w))];
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
        return [.. indices.Select(i => $"cuda:{i} {Nvml.Describe(i) ?? "(NVIDIA management library not found)"}")];
    }
}
