using Hangfire;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using UniAD.Datasets;
using UniAD.Lab.Persistence;

namespace UniAD.Lab.Tests;

/// <summary>Several processes starting at once on one database and one artifact store, as a team's lab and workers do
/// after a restart: the schema is migrated once (EF Core's migration lock), Hangfire's tables are made once, and the
/// store's dataset versions are recorded once.</summary>
public abstract class ConcurrentStartTests(DatabaseProvider database)
{
    public sealed class OnSqlite() : ConcurrentStartTests(DatabaseProvider.Sqlite);
    public sealed class OnPostgres() : ConcurrentStartTests(DatabaseProvider.Postgres);

    [Fact]
    public async Task TwoLabsStartingAtOnceOnAnEmptyDatabaseMigrateItOnce()
    {
        string root = TestScratch.NewFolder("uniad-start");
        string? postgres = database == DatabaseProvider.Postgres ? PostgresServer.Shared.CreateDatabase() : null;
        var configuration = Lab.Configuration(root, postgres);
        var options = configuration.GetSection(LabOptions.Section).Get<LabOptions>()!;
        using (var tiny = new TinyDataset()) new DatasetStore(options.DatasetsFolder).Import(new ImportRequest(tiny.Root, "shared"));
        using var first = new ServiceCollection().AddLogging().AddLab(configuration).AddLabJobClient(options).BuildServiceProvider();
        using var second = new ServiceCollection().AddLogging().AddLab(configuration).AddLabJobClient(options).BuildServiceProvider();
        var go = new TaskCompletionSource();
        var starts = new[] { first, second }.Select(services => Task.Run(async () =>
        {
            await go.Task;
            await services.GetRequiredService<LabInitializer>().InitializeAsync();
            return LabServices.JobStorageOf(options);                                  // makes Hangfire's tables if missing
        })).ToList();
        go.SetResult();
        var storages = await Task.WhenAll(starts);
        try
        {
            await using var db = await first.GetRequiredService<IDbContextFactory<LabDbContext>>().CreateDbContextAsync();
            Assert.Equal(db.Database.GetMigrations(), await db.Database.GetAppliedMigrationsAsync());   // each applied, once
            Assert.Equal("shared", Assert.Single(db.Datasets).Name);
            // One queue: a job queued through one storage is seen through the other.
            new BackgroundJobClient(storages[0]).Enqueue(Queues.Default, () => Console.WriteLine("shared queue"));
            Assert.Equal(1, storages[1].GetMonitoringApi().EnqueuedCount(Queues.Default));
        }
        finally
        {
            foreach (var storage in storages) (storage as IDisposable)?.Dispose();
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            if (postgres is not null) PostgresServer.Shared.DropDatabase(postgres);
        }
    }
}
