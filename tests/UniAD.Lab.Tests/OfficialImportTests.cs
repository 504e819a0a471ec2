using UniAD.Core;
using Microsoft.EntityFrameworkCore;
using UniAD.Core.Configuration;
using UniAD.Core.Interop;
using UniAD.Lab.Persistence;
using UniAD.Lab.Runs;

namespace UniAD.Lab.Tests;

/// <summary>An official checkpoint uploaded to the lab: checked on arrival, evaluated by the training queue's job, and then
/// a finished run like any other, marked as imported, with its backbone kept for new runs when asked.</summary>
public abstract class OfficialImportTests(DatabaseProvider database)
{
    public sealed class OnSqlite() : OfficialImportTests(DatabaseProvider.Sqlite);
    public sealed class OnPostgres() : OfficialImportTests(DatabaseProvider.Postgres);

    private static async Task<string> UploadAsync(Lab lab, string path)
    {
        await using var file = File.OpenRead(path);
        return await Uploads.SaveAsync(lab.Options, file);
    }

    [Fact]
    public async Task AnUploadedCheckpointBecomesAFinishedImportedRunAndKeepsItsBackbone()
    {
        using var lab = new Lab(database);
        int dataset = await lab.ImportTinyAsync();
        var (checkpoint, yaml, exportedAuroc) = OfficialTestFiles.TinyEfficientNetB4Run(TestScratch.NewFolder("uniad-official-lab"));

        int id = await lab.Imports.QueueAsync(new OfficialUpload(await UploadAsync(lab, checkpoint), "ckpt_best.pth.tar",
            await UploadAsync(lab, yaml), "config.yaml", dataset, "official tiny", KeepBackbone: true, Device: "cpu"));
        Assert.Empty(Directory.EnumerateFiles(lab.Options.UploadsFolder));            // moved into the run, not copied
        lab.Job().Run(id, CancellationToken.None);

        using var db = lab.Db();
        var run = db.Runs.Include(r => r.Results).Single(r => r.Id == id);
        Assert.True(run.Status == RunStatus.Finished, run.Error);
        Assert.True(run.IsImported);
        Assert.Equal("the official UniAD code: ckpt_best.pth.tar, epoch 1", run.Provenance.ImportedFrom);
        Assert.Equal(64, run.Provenance.ImportedSha256!.Length);
        Assert.Equal(exportedAuroc, run.Summary.MeanImageAuroc!.Value, 1e-12);                  // the same weights on the same images
        Assert.Equal(3, run.Results.Count);                                             // two categories and the mean
        var config = UniadConfig.FromJson(run.Request.ConfigJson);
        Assert.True(File.Exists(config.Backbone.WeightsPath), "the run's config names the backbone file it now has");

        var kept = OfficialImports.KeptEfficientNetB4(lab.Options);
        Assert.NotNull(kept);
        Assert.Equal(File.ReadAllBytes(config.Backbone.WeightsPath!), File.ReadAllBytes(kept!));
    }

    [Fact]
    public async Task AnImportTheLabCannotFollowIsRefusedBeforeAnythingIsStored()
    {
        using var lab = new Lab(database);
        int dataset = await lab.ImportTinyAsync();
        var folder = TestScratch.NewFolder("uniad-official-bad");
        var (checkpoint, yaml, _) = OfficialTestFiles.TinyEfficientNetB4Run(folder);
        var sgd = Path.Combine(folder, "sgd.yaml");
        File.WriteAllText(sgd, File.ReadAllText(yaml).Replace("type: AdamW", "type: SGD"));

        var error = await Assert.ThrowsAsync<InvalidFileException>(async () => await lab.Imports.QueueAsync(
            new OfficialUpload(await UploadAsync(lab, checkpoint), "ckpt.pth.tar", await UploadAsync(lab, sgd), "mine.yaml", dataset, "bad")));
        Assert.Equal("mine.yaml: trainer.optimizer.type SGD: the lab has AdamW only", error.Message);
        using var db = lab.Db();
        Assert.Empty(db.Runs);
        Assert.Empty(Directory.EnumerateFiles(lab.Options.UploadsFolder));
        Assert.False(Directory.Exists(lab.Options.RunsFolder) && Directory.EnumerateFileSystemEntries(lab.Options.RunsFolder).Any());
    }
}
