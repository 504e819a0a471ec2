using UniAD.Core;
using UniAD.Lab.Accounts;
using UniAD.Lab.Runs;

namespace UniAD.Lab.Tests;

[Collection(TorchRng.Name)]
public abstract class RunEditorTests(DatabaseProvider database)
{
    [Collection(TorchRng.Name)] public sealed class OnSqlite() : RunEditorTests(DatabaseProvider.Sqlite);
    [Collection(TorchRng.Name)] public sealed class OnPostgres() : RunEditorTests(DatabaseProvider.Postgres);

    [Fact]
    public async Task AnnotateArchiveAndDeleteWhichFreesTheDisk()
    {
        using var lab = new Lab(database);
        int datasetId = await lab.ImportTinyAsync();
        var ids = await lab.QueueAsync(datasetId, TinyDataset.Config(epochs: 1), [1, 2], "pair");
        lab.Job().Run(ids[0], CancellationToken.None);
        var editor = lab.Editor;

        await editor.AnnotateAsync(ids[0], " renamed ", "baseline,  cpu , baseline", " looks fine ", LabActor.Laptop);
        var run = (await lab.Queries.GetAsync(ids[0]))!;
        Assert.Equal(("renamed", "looks fine"), (run.Name, run.Notes));
        Assert.Equal(["baseline", "cpu"], run.Tags);
        Assert.Equal(1, (await lab.Queries.PageAsync(new RunPageRequest(0, 10, Search: "cpu"))).Total);   // found inside a tag

        await editor.ArchiveAsync([ids[0]], archived: true, LabActor.Laptop);
        Assert.Equal(1, (await lab.Queries.PageAsync(new RunPageRequest(0, 10))).Total);
        Assert.Equal(2, (await lab.Queries.PageAsync(new RunPageRequest(0, 10, IncludeArchived: true))).Total);

        var error = await Assert.ThrowsAsync<ConflictException>(() => editor.DeleteAsync(ids, LabActor.Laptop));
        Assert.Contains($"#{ids[1]}", error.Message);                            // still queued
        Assert.True(Directory.Exists(run.Folder));

        Assert.True(await editor.DeleteAsync([ids[0]], LabActor.Laptop) > 0);
        Assert.False(Directory.Exists(run.Folder));
        Assert.Null(await lab.Queries.GetAsync(ids[0]));
        using var db = lab.Db();
        Assert.DoesNotContain(db.CategoryResults, c => c.RunId == ids[0]);
        Assert.DoesNotContain(db.Epochs, e => e.RunId == ids[0]);
    }

    [Fact]
    public async Task TextOverItsLimitIsRefusedNamingTheLimitAndNothingChanges()
    {
        using var lab = new Lab(database);
        int id = (await lab.QueueAsync(await lab.ImportTinyAsync(), TinyDataset.Config(epochs: 1), [1], "kept"))[0];

        var error = await Assert.ThrowsAsync<UserException>(() => lab.Editor.AnnotateAsync(id, new string('n', 300), new string('t', 1001), "ok", LabActor.Laptop));

        Assert.Equal(["the name: 300 characters, over the limit of 200 (Lab:Limits:NameLength)",
                      "the tags: 1,001 characters, over the limit of 1,000 (Lab:Limits:TagsLength)"], error.Problems);
        Assert.Equal("kept", (await lab.Queries.GetAsync(id))!.Name);
        await Assert.ThrowsAsync<NotFoundException>(() => lab.Editor.AnnotateAsync(999, "x", "", "", LabActor.Laptop));
    }
}
