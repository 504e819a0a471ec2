using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;

namespace UniAD.Lab.Persistence;

/// <summary>One process at a time migrates a PostgreSQL lab database. EF Core's own PostgreSQL migration lock is a table
/// lock held by each migration's transaction, so a process that started while another was between two migrations
/// applied the second one again ("column already exists"; ConcurrentStartTests with two pending migrations). This holds
/// a PostgreSQL session advisory lock, on a connection of its own, around the whole of <c>Migrate</c>; the server
/// releases it if the process dies. SQLite needs nothing: EF Core's lock there spans the whole migration.</summary>
public static class MigrationLock
{
    /// <summary>The advisory lock's key: any constant no other application on the database uses ("UniADLab" in ASCII).</summary>
    private const long Key = 0x556E_6941_444C_6162;

    /// <summary>Migrates <paramref name="db"/>, alone among the processes on its database.</summary>
    public static async Task MigrateAsync(LabDbContext db, CancellationToken cancel = default)
    {
        if (!db.Database.IsNpgsql())
        {
            await db.Database.MigrateAsync(cancel);
            return;
        }
        await CreateIfMissingAsync(db, cancel);
        await using var session = new NpgsqlConnection(db.Database.GetConnectionString());
        await session.OpenAsync(cancel);
        await using (var take = new NpgsqlCommand($"SELECT pg_advisory_lock({Key})", session)) await take.ExecuteNonQueryAsync(cancel);
        try { await db.Database.MigrateAsync(cancel); }
        finally
        {
            await using var release = new NpgsqlCommand($"SELECT pg_advisory_unlock({Key})", session);
            await release.ExecuteNonQueryAsync(CancellationToken.None);
        }
    }

    /// <summary>The database itself, as Migrate would make it, so that the lock has somewhere to live; two processes making
    /// it at once is fine (the second finds it made).</summary>
    private static async Task CreateIfMissingAsync(LabDbContext db, CancellationToken cancel)
    {
        var creator = db.GetService<IRelationalDatabaseCreator>();
        if (await creator.ExistsAsync(cancel)) return;
        try { await creator.CreateAsync(cancel); }
        catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.DuplicateDatabase or PostgresErrorCodes.UniqueViolation) { }
    }
}
