using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using UniAD.Core.Backbones;
using UniAD.Core.Training;
using UniAD.Lab.Datasets;
using UniAD.Lab.Persistence;
using UniAD.Lab.Workers;

namespace UniAD.Lab;

/// <summary>Start-up: the data folders, the database schema (migrations keep old data), the dataset catalogue, and
/// runs that a stopped lab or a gone worker left "Running" (they are marked failed, resumable from their last checkpoint).</summary>
public sealed class LabInitializer(IDbContextFactory<LabDbContext> databases, DatasetCatalog catalog, IOptions<LabOptions> options,
    InterruptedRuns interrupted, ILogger<LabInitializer>? logger = null)
{
    public const string InterruptedRun = "the lab or worker training this run stopped; resume it to continue from its last checkpoint";

    public async Task InitializeAsync(CancellationToken cancel = default)
    {
        var o = options.Value;
        foreach (var folder in new[] { o.DataRoot, o.DatasetsFolder, o.RunsFolder }) Directory.CreateDirectory(folder);
        ResNet18CntkWeights.DefaultModelPath();                 // refuses to start, saying where, when the build output lacks the weights
        await using var db = await databases.CreateDbContextAsync(cancel);
        if (await BackUpBeforeMigratingAsync(db, cancel) is { } backup)
            logger?.LogWarning("The database schema is being upgraded; the database as it was is saved in {Backup}", backup);
        await MigrationLock.MigrateAsync(db, cancel);
        if (db.Database.IsSqlite())
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", cancel);   // readers never wait for the job's writes
        await catalog.SynchroniseAsync(cancel);
        // A run whose worker stopped while training it (this lab before a restart, or a worker that is gone) is
        // interrupted, and resumed when the lab says so. Runs live workers are training are theirs.
        await interrupted.SweepAsync(cancel);
    }

    /// <summary>Before migrations change an existing SQLite database, a consistent copy of it (<c>VACUUM INTO</c>) beside it,
    /// named after the last migration to apply, so that an upgrade can be undone.</summary>
    /// <returns>The copy's path, or null when nothing is pending or the database is new.</returns>
    public static async Task<string?> BackUpBeforeMigratingAsync(LabDbContext db, CancellationToken cancel = default)
    {
        if (!db.Database.IsSqlite()) return null;
        var pending = (await db.Database.GetPendingMigrationsAsync(cancel)).ToList();
        if (pending.Count == 0 || !(await db.Database.GetAppliedMigrationsAsync(cancel)).Any()) return null;
        var backup = $"{db.Database.GetDbConnection().DataSource}.before-{pending[^1]}.{DateTime.UtcNow:yyyyMMddHHmmss}.bak";
        await db.Database.ExecuteSqlAsync($"VACUUM INTO {backup}", cancel);
        return Path.GetFullPath(backup);
    }
}
