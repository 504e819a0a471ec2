using UniAD.Core;
using UniAD.Datasets;
using UniAD.Lab.Datasets;

namespace UniAD.Lab.Tests;

public abstract class DatasetCatalogTests(DatabaseProvider database)
{
    public sealed class OnSqlite() : DatasetCatalogTests(DatabaseProvider.Sqlite);
    public sealed class OnPostgres() : DatasetCatalogTests(DatabaseProvider.Postgres);

    [Fact]
    public async Task ANamedServerFolderIsImportedOnlyFromAnImportRoot()
    {
        using var lab = new Lab(database);
        var error = await Assert.ThrowsAsync<UniAD.Core.Data.DatasetException>(() => lab.Catalog.StageServerFolderAsync(new ImportRequest("/etc", "etc")));
        Assert.Equal($"'/etc' is not under an import root: server folders are imported only from {Path.GetFullPath(lab.Options.ImportsFolder)} " +
                     "(more with Lab:ImportRoots); or upload a zip", error.Message);
        var escape = Path.Combine(lab.Options.ImportsFolder, "..", "datasets");
        await Assert.ThrowsAsync<UniAD.Core.Data.DatasetException>(() => lab.Catalog.StageServerFolderAsync(new ImportRequest(escape, "up")));

        using var tiny = new TinyDataset();
        var copy = Path.Combine(lab.Options.ImportsFolder, "tiny");
        CopyFolder(tiny.Root, copy);
        using (var staged = await lab.Catalog.StageServerFolderAsync(new ImportRequest(copy, "tiny"))) Assert.False(staged.Report.HasErrors);

        lab.Options.ImportRoots.Add(tiny.Root);                               // a configured root
        using (var staged = await lab.Catalog.StageServerFolderAsync(new ImportRequest(tiny.Root, "tiny"))) Assert.False(staged.Report.HasErrors);
        Assert.Empty(await lab.Catalog.ListAsync());                          // staging stores nothing
    }

    private static void CopyFolder(string from, string to)
    {
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }

    [Fact]
    public async Task AConfirmedImportGetsARowAndAFailedOneLeavesNothing()
    {
        using var lab = new Lab(database);
        using var tiny = new TinyDataset();

        using (var staged = await lab.Catalog.StageAsync(new ImportRequest(tiny.Root, "tiny", CreatedBy: "ada")))
        {
            Assert.Empty(await lab.Catalog.ListAsync());                          // staged is not stored
            var record = await lab.Catalog.CommitAsync(staged);
            Assert.Equal(("tiny", "mvtec", 2, 16, "ada"), (record.Name, record.Layout, record.Categories, record.TrainImages, record.CreatedBy));
        }

        File.WriteAllBytes(Path.Combine(tiny.Root, "nut/train/good/000.png"), [1, 2, 3]);
        using (var broken = await lab.Catalog.StageAsync(new ImportRequest(tiny.Root, "broken")))
        {
            Assert.True(broken.Report.HasErrors);
            await Assert.ThrowsAsync<UniAD.Core.Data.DatasetException>(() => lab.Catalog.CommitAsync(broken));
        }
        Assert.Single(await lab.Catalog.ListAsync());
        Assert.False(Directory.Exists(Path.Combine(lab.Options.DatasetsFolder, "broken")));
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(lab.Options.DatasetsFolder, DatasetStore.StagingFolder)));
    }

    [Fact]
    public async Task AnUploadOverTheLimitIsRefusedAndRemoved()
    {
        using var lab = new Lab(database);
        lab.Options.MaxUploadBytes = 1000;
        var error = await Assert.ThrowsAsync<TooLargeException>(() => lab.Catalog.SaveUploadAsync(new MemoryStream(new byte[5000])));
        Assert.Contains("larger than the limit", error.Message);
        Assert.Empty(Directory.EnumerateFiles(lab.Options.UploadsFolder));
    }

    [Fact]
    public async Task AnUploadIsStagedByItsIdAndThenDeleted()
    {
        using var lab = new Lab(database);
        using var tiny = new TinyDataset();
        var zip = Path.Combine(TestScratch.NewFolder("uniad-upload"), "tiny.zip");
        System.IO.Compression.ZipFile.CreateFromDirectory(tiny.Root, zip);
        await using (var body = File.OpenRead(zip))
        {
            string id = await lab.Catalog.SaveUploadAsync(body);
            using var staged = await lab.Catalog.StageUploadAsync(id, new ImportRequest("", "tiny"));
            Assert.False(staged.Report.HasErrors);
            Assert.Contains("not found", (await Assert.ThrowsAsync<UniAD.Core.Data.DatasetException>(() => lab.Catalog.StageUploadAsync(id, new ImportRequest("", "again")))).Message);
        }
        Assert.Empty(Directory.EnumerateFiles(lab.Options.UploadsFolder));
        await Assert.ThrowsAsync<UserException>(() => lab.Catalog.StageUploadAsync("../../etc/passwd", new ImportRequest("", "x")));
    }

    [Fact]
    public async Task TheFirstStartsDemoDatasetIsOneClickAndClean()
    {
        using var lab = new Lab(database);
        var demo = await lab.Catalog.ImportDemoAsync("ada");
        Assert.Equal((DatasetCatalog.DemoName, "mvtec", 8, 0), (demo.Name, demo.Layout, demo.Categories, demo.Warnings));
        Assert.Equal(8 * 40, demo.TrainImages);
        Assert.Empty(Directory.EnumerateDirectories(Path.GetTempPath(), "uniad-demo-*"));   // the generated source is gone
    }
}
