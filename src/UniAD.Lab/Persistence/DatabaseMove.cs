using System.Collections;
using System.Globalization;
using System.Reflection;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using UniAD.Core;

namespace UniAD.Lab.Persistence;

/// <summary>Rows of one table in a move: how many were copied, and how many differ after it (0 when the move is good).</summary>
public sealed record MovedTable(string Table, int Rows, int Differing);

/// <summary>What a move did, table by table, with the first differences found (none when it is good).</summary>
public sealed record MoveReport(IReadOnlyList<MovedTable> Tables, IReadOnlyList<string> Differences)
{
    public bool Identical => Differences.Count == 0;
    public int Rows => Tables.Sum(t => t.Rows);
}

/// <summary>Moves a lab's rows from one database into another, empty one (a SQLite lab onto a team's PostgreSQL): every
/// table of the model — datasets, runs with their parts, curves, evaluations, resource samples, studies, accounts,
/// tokens, audit — with its keys as they are, so run folders and links stay right; then compares both databases row by
/// row. Hangfire's tables are not moved: queued runs get new jobs from the caller (<see cref="Runs.RunLauncher"/>).</summary>
public static class DatabaseMove
{
    /// <summary>Rows written per save; the change tracker is cleared between batches, so memory stays flat.</summary>
    private const int Batch = 2_000;
    private const int DifferencesShown = 10;

    /// <summary>Copies everything from <paramref name="source"/> into <paramref name="target"/>, which is migrated first
    /// and must hold no row of the lab's tables, then compares the two.</summary>
    /// <exception cref="UserException">The target is not empty (nothing is written to it).</exception>
    public static async Task<MoveReport> MoveAsync(IDbContextFactory<LabDbContext> source, IDbContextFactory<LabDbContext> target,
        Action<string>? progress = null, CancellationToken cancel = default)
    {
        await using (var db = await target.CreateDbContextAsync(cancel))
        {
            await MigrationLock.MigrateAsync(db, cancel);
            var occupied = new List<string>();
            foreach (var type in Tables(db.Model))
                if (await CountAsync(db, type, cancel) is > 0 and var rows) occupied.Add($"{rows:N0} in {type.GetTableName()}");
            if (occupied.Count > 0)
                throw new UserException($"the target database is not empty ({string.Join(", ", occupied)}): move into a new, empty database");
        }
        foreach (var type in await TablesAsync(source, cancel))
        {
            int rows = await (Task<int>)Generic(nameof(CopyAsync), type).Invoke(null, [source, target, type, cancel])!;
            progress?.Invoke($"{type.GetTableName()}: {rows:N0} rows");
        }
        await using (var db = await target.CreateDbContextAsync(cancel)) await ContinueKeysAsync(db, cancel);
        return await CompareAsync(source, target, cancel);
    }

    /// <summary>Compares every table of the two databases row by row, by key: the same rows, every column equal (times to
    /// the microsecond, PostgreSQL's precision; SQLite keeps a tenth of one more).</summary>
    public static async Task<MoveReport> CompareAsync(IDbContextFactory<LabDbContext> source, IDbContextFactory<LabDbContext> target,
        CancellationToken cancel = default)
    {
        var tables = new List<MovedTable>();
        var differences = new List<string>();
        foreach (var type in await TablesAsync(source, cancel))
        {
            var (rows, differing) = await (Task<(int, int)>)Generic(nameof(CompareTableAsync), type).Invoke(null, [source, target, type, differences, cancel])!;
            tables.Add(new MovedTable(type.GetTableName()!, rows, differing));
        }
        return new MoveReport(tables, differences);
    }

    private static async Task<List<IEntityType>> TablesAsync(IDbContextFactory<LabDbContext> databases, CancellationToken cancel)
    {
        await using var db = await databases.CreateDbContextAsync(cancel);
        return Tables(db.Model);
    }

    /// <summary>The model's tables, each before the tables whose foreign keys point at it.</summary>
    private static List<IEntityType> Tables(IModel model)
    {
        var pending = model.GetEntityTypes().Where(t => !t.IsOwned() && t.GetTableName() is not null).OrderBy(t => t.GetTableName(), StringComparer.Ordinal).ToList();
        var ordered = new List<IEntityType>();
        while (pending.Count > 0)
        {
            var ready = pending.First(t => t.GetForeignKeys().All(k => k.PrincipalEntityType == t || ordered.Contains(k.PrincipalEntityType.GetRootType())));
            ordered.Add(ready);
            pending.Remove(ready);
        }
        return ordered;
    }

    private static MethodInfo Generic(string name, IEntityType type) =>
        typeof(DatabaseMove).GetMethod(name, BindingFlags.NonPublic | BindingFlags.Static)!.MakeGenericMethod(type.ClrType);

    private static IQueryable<T> ByKey<T>(LabDbContext db, IEntityType type) where T : class
    {
        var key = type.FindPrimaryKey()!.Properties;
        var rows = db.Set<T>().AsNoTracking().OrderBy(row => EF.Property<object>(row, key[0].Name));
        foreach (var part in key.Skip(1)) rows = rows.ThenBy(row => EF.Property<object>(row, part.Name));
        return rows;
    }

    private static Task<int> CountAsync(LabDbContext db, IEntityType type, CancellationToken cancel) =>
        (Task<int>)Generic(nameof(CountRowsAsync), type).Invoke(null, [db, cancel])!;

    private static Task<int> CountRowsAsync<T>(LabDbContext db, CancellationToken cancel) where T : class => db.Set<T>().CountAsync(cancel);

    private static async Task<int> CopyAsync<T>(IDbContextFactory<LabDbContext> source, IDbContextFactory<LabDbContext> target, IEntityType type,
        CancellationToken cancel) where T : class
    {
        await using var from = await source.CreateDbContextAsync(cancel);
        await using var to = await target.CreateDbContextAsync(cancel);
        to.ChangeTracker.AutoDetectChangesEnabled = false;
        int rows = 0;
        await foreach (var row in ByKey<T>(from, type).AsAsyncEnumerable().WithCancellation(cancel))
        {
            to.Add(row);
            if (++rows % Batch == 0) await SaveAsync(to, cancel);
        }
        await SaveAsync(to, cancel);
        return rows;
    }

    private static async Task SaveAsync(LabDbContext db, CancellationToken cancel)
    {
        await db.SaveChangesAsync(cancel);
        db.ChangeTracker.Clear();
    }

    /// <summary>Rows were written with their keys, which leaves PostgreSQL's identity sequences where they were: each is
    /// set past its table's largest key, so the next run or dataset gets a new one.</summary>
    private static async Task ContinueKeysAsync(LabDbContext db, CancellationToken cancel)
    {
        if (!db.Database.IsNpgsql()) return;
        foreach (var type in Tables(db.Model))
        {
            if (type.FindPrimaryKey()!.Properties is not [{ ValueGenerated: ValueGenerated.OnAdd } key] || (key.ClrType != typeof(int) && key.ClrType != typeof(long))) continue;
            string table = type.GetTableName()!, column = key.GetColumnName();
            // Names from the lab's own model, not from input.
            string continueSequence = $"SELECT setval(pg_get_serial_sequence('\"{table}\"', '{column}'), COALESCE(MAX(\"{column}\"), 0) + 1, false) FROM \"{table}\"";
            await db.Database.ExecuteSqlRawAsync(continueSequence, cancel);
        }
    }

    private static async Task<(int Rows, int Differing)> CompareTableAsync<T>(IDbContextFactory<LabDbContext> source, IDbContextFactory<LabDbContext> target,
        IEntityType type, List<string> differences, CancellationToken cancel) where T : class
    {
        await using var a = await source.CreateDbContextAsync(cancel);
        await using var b = await target.CreateDbContextAsync(cancel);
        var left = ByKey<T>(a, type).AsAsyncEnumerable().GetAsyncEnumerator(cancel);
        var right = ByKey<T>(b, type).AsAsyncEnumerable().GetAsyncEnumerator(cancel);
        await using (left.ConfigureAwait(false))
        await using (right.ConfigureAwait(false))
        {
            int rows = 0, differing = 0;
            string table = type.GetTableName()!;
            while (true)
            {
                bool hasLeft = await left.MoveNextAsync(), hasRight = await right.MoveNextAsync();
                if (!hasLeft && !hasRight) return (rows, differing);
                rows += hasLeft ? 1 : 0;
                var was = hasLeft ? Row(type, left.Current) : null;
                var now = hasRight ? Row(type, right.Current) : null;
                if (was is not null && now is not null && was.SequenceEqual(now)) continue;
                differing++;
                if (differences.Count < DifferencesShown) differences.Add($"{table} {Difference(type, was, now)}");
            }
        }
    }

    private static string Difference(IEntityType type, List<(string Column, string Value)>? was, List<(string Column, string Value)>? now)
    {
        string Key(List<(string Column, string Value)> row) =>
            string.Join(", ", type.FindPrimaryKey()!.Properties.Select(k => $"{k.Name} {row.First(c => c.Column == k.Name).Value}"));
        static string Short(string value) => value.Length <= 80 ? value : $"{value[..77]}...";
        if (now is null) return $"{Key(was!)}: missing in the target";
        if (was is null) return $"{Key(now)}: in the target only";
        var changed = was.Zip(now).Where(pair => pair.First.Value != pair.Second.Value).Select(pair => $"{pair.First.Column} {Short(pair.First.Value)} became {Short(pair.Second.Value)}");
        return $"{Key(was)}: {string.Join("; ", changed)}";
    }

    /// <summary>A row's stored values, of the entity and of the parts it owns, in model order.</summary>
    private static List<(string Column, string Value)> Row(IEntityType type, object entity)
    {
        var values = new List<(string, string)>();
        void Add(IEntityType part, object? owner, string prefix)
        {
            foreach (var property in part.GetProperties().Where(p => !p.IsShadowProperty()))
                values.Add((prefix + property.Name, Text(owner is null ? null : property.GetGetter().GetClrValue(owner))));
            foreach (var owned in part.GetNavigations().Where(n => n.TargetEntityType.IsOwned() && !n.IsOnDependent))
                Add(owned.TargetEntityType, owner is null ? null : owned.GetGetter().GetClrValue(owner), $"{prefix}{owned.Name}.");
        }
        Add(type, entity, "");
        return values;
    }

    private static string Text(object? value) => value switch
    {
        null => "null",
        DateTime time => (time.Ticks / 10).ToString(CultureInfo.InvariantCulture),
        DateTimeOffset time => (time.UtcTicks / 10).ToString(CultureInfo.InvariantCulture),
        string text => JsonSerializer.Serialize(text),
        IEnumerable list => JsonSerializer.Serialize(list),
        IFormattable number => number.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };
}
