using Hangfire;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using UniAD.Core.Configuration;
using UniAD.Lab.Datasets;
using UniAD.Lab.Persistence;
using UniAD.Lab.Runs;

namespace UniAD.Lab.Tests;

/// <summary>A lab on a temporary data root, put together by the application layer's own registration
/// (<see cref="LabServices.AddLab"/>) with a real database — a SQLite file, or a database of its own on the test
/// process's PostgreSQL server (<see cref="PostgresServer"/>) — and real Hangfire storage on it, but no job server: tests
/// run the training job themselves. Page tests resolve their services from it (<see cref="Services"/>).</summary>
public sealed class Lab : IDisposable
{
    private readonly ServiceProvider _services;
    private readonly string _root = TestScratch.NewFolder("uniad-lab");
    private readonly string? _postgres;

    public Lab(DatabaseProvider database = DatabaseProvider.Sqlite)
    {
        if (database == DatabaseProvider.Postgres) _postgres = PostgresServer.Shared.CreateDatabase();
        var configuration = Configuration(_root, _postgres);
        // Hangfire keeps the storage it is configured with in a static (JobStorage.Current), which test classes running
        // side by side would share: each lab here has its own storage and client instead of AddLabJobStorage's.
        _services = new ServiceCollection().AddLogging().AddLab(configuration)
            .AddLabJobClient(configuration.GetSection(LabOptions.Section).Get<LabOptions>()!).BuildServiceProvider();
        Get<LabInitializer>().InitializeAsync().GetAwaiter().GetResult();
    }

    /// <summary>The settings of a lab on <paramref name="root"/>: its SQLite file there, or the PostgreSQL database of
    /// <paramref name="postgres"/> (a connection string) when given.</summary>
    public static IConfiguration Configuration(string root, string? postgres = null)
    {
        var settings = new Dictionary<string, string?>
        {
            [$"{LabOptions.Section}:{nameof(LabOptions.DataRoot)}"] = root,
            [$"{LabOptions.Section}:{nameof(LabOptions.ResourceSampleSeconds)}"] = "0.1",   // tiny runs take seconds
            [$"{LabOptions.Section}:Worker:{nameof(WorkerOptions.RetryRefusedSeconds)}"] = "0.2",
        };
        if (postgres is not null)
        {
            settings[$"{LabOptions.Section}:Database:Provider"] = nameof(DatabaseProvider.Postgres);
            settings[$"{LabOptions.Section}:Database:ConnectionString"] = postgres;
        }
        return new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
    }

    public IServiceProvider Services => _services;
    public T Get<T>() where T : notnull => _services.GetRequiredService<T>();

    public JobStorage JobStorage => Get<JobStorage>();
    public LabOptions Options => Get<IOptions<LabOptions>>().Value;
    public IDbContextFactory<LabDbContext> Databases => Get<IDbContextFactory<LabDbContext>>();
    public RunEvents Events => Get<RunEvents>();
    public DatasetCatalog Catalog => Get<DatasetCatalog>();
    public RunLauncher Launcher => Get<RunLauncher>();
    public RunRequests Requests => Get<RunRequests>();
    public RunQueries Queries => Get<RunQueries>();
    public RunEditor Editor => Get<RunEditor>();
    public OfficialImports Imports => Get<OfficialImports>();
    public TrainingJob Job() => Get<TrainingJob>();
    public LabDbContext Db() => Databases.CreateDbContext();

    /// <summary>Imports a freshly generated tiny dataset and returns its id.</summary>
    public async Task<int> ImportTinyAsync()
    {
        using var tiny = new TinyDataset();
        using var staged = await Catalog.StageAsync(new UniAD.Datasets.ImportRequest(tiny.Root, "tiny"));
        return (await Catalog.CommitAsync(staged)).Id;
    }

    /// <summary>The request for one run per seed of exactly <paramref name="config"/> as the New run form makes it: the
    /// default preset, its epochs, batch size and test interval in their fields, every other difference as an override.</summary>
    public static RunSpec SpecOf(int datasetId, UniadConfig config, IReadOnlyList<int> seeds, string name, string device = "cpu") =>
        new(datasetId, name, Epochs: config.Training.Epochs, BatchSize: config.Training.BatchSize,
            EvaluateEvery: config.Training.EvaluateEveryEpochs, Seeds: seeds, Overrides: FormOverrides(config), Device: device);

    /// <summary>What the New run form holds as overrides for <paramref name="config"/>: every difference from the default
    /// preset but the keys the form has fields for (epochs, batch size, test interval, seed), matched exactly.</summary>
    public static IReadOnlyList<string> FormOverrides(UniadConfig config)
    {
        string[] fields = ["training.epochs", "training.batch_size", "training.evaluate_every_epochs", "training.seed"];
        return [.. ConfigDiff.Overrides(Presets.ByName[ConfigRequest.DefaultPreset](), config).Where(o => !fields.Contains(o[..o.IndexOf('=')]))];
    }

    /// <summary>Queues <see cref="SpecOf"/> through the one request path.</summary>
    public Task<IReadOnlyList<int>> QueueAsync(int datasetId, UniadConfig config, IReadOnlyList<int> seeds, string name, string device = "cpu") =>
        Requests.QueueAsync(SpecOf(datasetId, config, seeds, name, device), "tester");

    public void Dispose()
    {
        _services.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        if (_postgres is not null) PostgresServer.Shared.DropDatabase(_postgres);
        Directory.Delete(_root, recursive: true);
    }
}
