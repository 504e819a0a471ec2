using Hangfire;
using Hangfire.Storage.SQLite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using UniAD.Lab.Datasets;
using UniAD.Lab.Migrations.Sqlite;
using UniAD.Lab.Persistence;
using UniAD.Lab.Runs;
using UniAD.Tests;

namespace UniAD.Lab.Tests;

/// <summary>A lab on a temporary data root with a real SQLite database file and real Hangfire storage (no server:
/// tests run the training job themselves).</summary>
public sealed class Lab : IDisposable
{
    public LabOptions Options { get; }
    public IDbContextFactory<LabDbContext> Databases { get; }
    public RunEvents Events { get; } = new();
    public DatasetCatalog Catalog { get; }
    public SQLiteStorage JobStorage { get; }
    public RunLauncher Launcher { get; }
    public RunQueries Queries { get; }

    public Lab()
    {
        Options = new LabOptions { DataRoot = TestScratch.NewFolder("uniad-lab"), ResourceSampleSeconds = 0.1 };   // tiny runs take seconds
        var dbOptions = new DbContextOptionsBuilder<LabDbContext>()
            .UseSqlite($"Data Source={Path.Combine(Options.DataRoot, "lab.db")}", SqliteMigrations.Configure).Options;
        Databases = new Factory(dbOptions);
        Catalog = new DatasetCatalog(Databases, Microsoft.Extensions.Options.Options.Create(Options));
        JobStorage = new SQLiteStorage(Path.Combine(Options.DataRoot, "hangfire.db"));
        Launcher = new RunLauncher(Databases, new BackgroundJobClient(JobStorage), Events, Microsoft.Extensions.Options.Options.Create(Options));
        Queries = new RunQueries(Databases);
        new LabInitializer(Databases, Catalog, Microsoft.Extensions.Options.Options.Create(Options)).InitializeAsync().GetAwaiter().GetResult();
    }

    /// <summary>Imports a freshly generated tiny dataset and returns its id.</summary>
    public async Task<int> ImportTinyAsync()
    {
        using var tiny = new Core.Tests.TinyDataset();
        using var staged = await Catalog.StageAsync(new UniAD.Datasets.ImportRequest(tiny.Root, "tiny"));
        return (await Catalog.CommitAsync(staged)).Id;
    }

    public OfficialImports Imports => new(Databases, Launcher, Microsoft.Extensions.Options.Options.Create(Options));

    public TrainingJob Job() => new(Databases, Events, Microsoft.Extensions.Options.Options.Create(Options), Imports,
        Microsoft.Extensions.Logging.Abstractions.NullLogger<TrainingJob>.Instance);

    public LabDbContext Db() => Databases.CreateDbContext();

    public void Dispose()
    {
        JobStorage.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(Options.DataRoot, recursive: true);
    }

    private sealed class Factory(DbContextOptions<LabDbContext> options) : IDbContextFactory<LabDbContext>
    {
        public LabDbContext CreateDbContext() => new(options);
    }
}
