using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using UniAD.Datasets;
using UniAD.Lab.Migrations.Postgres;
using UniAD.Lab.Migrations.Sqlite;
using UniAD.Lab.Persistence;

namespace UniAD.Lab.Tests;

public class StartupTests
{
    /// <summary>Each provider's migrations hold the whole model (no change waits for a migration): checked without a
    /// database, so CI catches a model change that was migrated for one provider only.</summary>
    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public void EachProvidersMigrationsHoldTheWholeModel(DatabaseProvider provider)
    {
        var options = new DbContextOptionsBuilder<LabDbContext>();
        if (provider == DatabaseProvider.Sqlite) options.UseSqlite("Data Source=:memory:", SqliteMigrations.Configure);
        else options.UseNpgsql("Host=localhost", PostgresMigrations.Configure);
        using var db = new LabDbContext(options.Options);
        Assert.NotEmpty(db.Database.GetMigrations());
        Assert.False(db.Database.HasPendingModelChanges(),
            $"the model has changes no migration holds: dotnet ef migrations add NAME --project migrations/{provider} (and the other provider's)");
    }

    [Fact]
    public void MigrationsCreateTheSchemaInWalMode()
    {
        using var lab = new Lab();
        using var db = lab.Db();
        Assert.Empty(db.Database.GetPendingMigrations());
        Assert.Equal("wal", db.Database.SqlQueryRaw<string>("PRAGMA journal_mode").AsEnumerable().Single());
    }

    [Fact]
    public async Task UpgradingFromTheFirstSchemaKeepsTheData()
    {
        var file = Path.Combine(TestScratch.NewFolder("uniad-migrate"), "lab.db");
        var options = new DbContextOptionsBuilder<LabDbContext>().UseSqlite($"Data Source={file}", SqliteMigrations.Configure).Options;
        using (var old = new LabDbContext(options))
        {
            old.GetService<IMigrator>().Migrate(old.Database.GetMigrations().First());
            old.Database.ExecuteSqlRaw("""
                INSERT INTO Datasets (Name, Version, Layout, Folder, Categories, TrainImages, TestImages, Bytes, Warnings, CreatedAt, CreatedBy, Source)
                VALUES ('old', 'abc', 'mvtec', '/x', 1, 1, 1, 1, 0, '2026-01-01', '', '');
                INSERT INTO Runs (Name, "Group", DatasetId, Categories, NormalClasses, Preset, ConfigJson, Seed, Device, Queue, Status, CreatedAt, CreatedBy,
                                  Epoch, TotalEpochs, Step, StepsPerEpoch, Folder, ImageScore, Tags, Notes, Archived, CodeVersion)
                VALUES ('kept', '', 1, '', '', 'quick', '{{"training": {{"epochs": 3}}, "model": {{"feature_jitter": {{"scale": 20}}}}}}', 1, 'cpu', 'training', 'Finished', '2026-01-01', '', 3, 3, 1, 1, '', '', '', '', 0, '');
                """);
        }
        using var upgraded = new LabDbContext(options);
        var backup = (await LabInitializer.BackUpBeforeMigratingAsync(upgraded))!;
        upgraded.Database.Migrate();
        Assert.Null(await LabInitializer.BackUpBeforeMigratingAsync(upgraded));   // nothing pending any more
        using (var saved = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={backup};Mode=ReadOnly"))
        {
            saved.Open();
            using var query = saved.CreateCommand();
            query.CommandText = "SELECT Name || ' ' || ConfigJson FROM Runs";
            Assert.Equal("""kept {"training": {"epochs": 3}, "model": {"feature_jitter": {"scale": 20}}}""", query.ExecuteScalar());   // as it was
        }
        var run = upgraded.Runs.Single();
        Assert.Equal(("kept", RunStatus.Finished), (run.Name, run.Status));
        Assert.Empty(run.Summary.Warnings);
        // It trained before the official learning-rate timing and jitter stream: it must resume the way it started.
        var config = Core.Configuration.UniadConfig.FromJson(run.Request.ConfigJson);
        Assert.Equal((3, 20.0), (config.Training.Epochs, config.Model.FeatureJitter.Scale));
        Assert.Equal(Core.Configuration.EngineBehaviour.LabV1, config.Training.LrStepTiming);
        Assert.Equal(Core.Configuration.EngineBehaviour.LabV1, config.Model.FeatureJitter.NoiseStream);
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
    }

    [Fact]
    public async Task VersionsImportedWithTheCliAppearAndRunsLeftRunningAreMarkedFailed()
    {
        using var lab = new Lab();
        using var tiny = new TinyDataset();
        new DatasetStore(lab.Options.DatasetsFolder).Import(new ImportRequest(tiny.Root, "from-cli"));
        await lab.Catalog.SynchroniseAsync();
        using (var db = lab.Db())
        {
            db.Runs.Add(new RunRecord { Name = "orphan", Request = new() { ConfigJson = "{}" }, Status = RunStatus.Running, DatasetId = db.Datasets.Single().Id });
            db.SaveChanges();
        }

        await lab.Get<LabInitializer>().InitializeAsync();

        Assert.Equal("from-cli", Assert.Single(await lab.Catalog.ListAsync()).Name);
        using var check = lab.Db();
        var orphan = check.Runs.Single();
        Assert.Equal(RunStatus.Failed, orphan.Status);
        Assert.Equal(LabInitializer.InterruptedRun, orphan.Error);
    }
}
