using Microsoft.EntityFrameworkCore;
using UniAD.Datasets;
using UniAD.Lab.Persistence;

namespace UniAD.Lab.Tests;

public class StartupTests
{
    [Fact]
    public void MigrationsCreateTheSchemaInWalMode()
    {
        using var lab = new Lab();
        using var db = lab.Db();
        Assert.Empty(db.Database.GetPendingMigrations());
        Assert.Equal("wal", db.Database.SqlQueryRaw<string>("PRAGMA journal_mode").AsEnumerable().Single());
    }

    [Fact]
    public async Task VersionsImportedWithTheCliAppearAndRunsLeftRunningAreMarkedFailed()
    {
        using var lab = new Lab();
        using var tiny = new Core.Tests.TinyDataset();
        new DatasetStore(lab.Options.DatasetsFolder).Import(new ImportRequest(tiny.Root, "from-cli"));
        await lab.Catalog.SynchroniseAsync();
        using (var db = lab.Db())
        {
            db.Runs.Add(new RunRecord { Name = "orphan", ConfigJson = "{}", Status = RunStatus.Running, DatasetId = db.Datasets.Single().Id });
            db.SaveChanges();
        }

        await new LabInitializer(lab.Databases, lab.Catalog, Microsoft.Extensions.Options.Options.Create(lab.Options)).InitializeAsync();

        Assert.Equal("from-cli", Assert.Single(await lab.Catalog.ListAsync()).Name);
        using var check = lab.Db();
        var orphan = check.Runs.Single();
        Assert.Equal(RunStatus.Failed, orphan.Status);
        Assert.Equal(LabInitializer.InterruptedRun, orphan.Error);
    }
}
