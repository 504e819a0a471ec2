using UniAD.Core;
using UniAD.Lab.Accounts;
using UniAD.Lab.Persistence;
using UniAD.Lab.Runs;

namespace UniAD.Lab.Tests;

/// <summary>Who may change a run, checked by the application layer whichever door the request came through: a
/// researcher cancels, resumes, renames, archives and deletes only its own runs (and tags and notes any), an admin any,
/// a viewer none; a refused change changes nothing.</summary>
public abstract class RunOwnershipTests(DatabaseProvider database) : IDisposable
{
    public sealed class OnSqlite() : RunOwnershipTests(DatabaseProvider.Sqlite);
    public sealed class OnPostgres() : RunOwnershipTests(DatabaseProvider.Postgres);

    private static readonly LabActor Alice = new("alice", LabRole.Researcher), Bob = new("bob", LabRole.Researcher),
        Vera = new("vera", LabRole.Viewer), Root = new("root", LabRole.Admin);

    private readonly Lab _lab = new(database);

    public void Dispose() => _lab.Dispose();

    private async Task<int[]> QueueAsAliceAsync(int seeds)
    {
        int datasetId = await _lab.ImportTinyAsync();
        var ids = await _lab.Requests.QueueAsync(Lab.SpecOf(datasetId, TinyDataset.Config(epochs: 1), [.. Enumerable.Range(1, seeds)], "alice's"), Alice.Name);
        return [.. ids];
    }

    private RunRecord Run(int id)
    {
        using var db = _lab.Db();
        return db.Runs.Single(r => r.Id == id);
    }

    [Fact]
    public async Task AResearcherCancelsOnlyItsOwnRunsAndTheRefusalSaysWhose()
    {
        var ids = await QueueAsAliceAsync(seeds: 2);

        var refused = await Assert.ThrowsAsync<ForbiddenException>(() => _lab.Launcher.CancelAsync(ids[0], Bob));
        Assert.Equal($"run {ids[0]} was made by alice: a researcher may cancel only their own (an admin may cancel any)", refused.Message);
        var bulk = await Assert.ThrowsAsync<ForbiddenException>(() => _lab.Launcher.CancelAsync(new RunSelection(ids), Bob));
        Assert.Contains($"2 of these runs (#{ids[0]}, #{ids[1]}) were queued by others", bulk.Message);
        await Assert.ThrowsAsync<ForbiddenException>(() => _lab.Launcher.CancelAsync(ids[0], Vera));
        Assert.All(ids, id => Assert.Equal((RunStatus.Queued, null), (Run(id).Status, Run(id).CancelledBy)));   // nothing changed

        await _lab.Launcher.CancelAsync(ids[0], Alice);
        await _lab.Launcher.CancelAsync(ids[1], Root);
        Assert.Equal((RunStatus.Cancelled, "alice"), (Run(ids[0]).Status, Run(ids[0]).CancelledBy));
        Assert.Equal((RunStatus.Cancelled, "root"), (Run(ids[1]).Status, Run(ids[1]).CancelledBy));

        await Assert.ThrowsAsync<ForbiddenException>(() => _lab.Launcher.ResumeAsync(ids[0], Bob));
        await _lab.Launcher.ResumeAsync(ids[0], Alice);
        Assert.Equal((RunStatus.Queued, null), (Run(ids[0]).Status, Run(ids[0]).CancelledBy));

        var (audit, _) = await _lab.Get<LabAudit>().PageAsync(0, 100);
        Assert.Equal([("alice", "run.resumed"), ("root", "run.cancelled"), ("alice", "run.cancelled"), ("alice", "run.queued")],
            audit.Take(4).Select(e => (e.Actor, e.Action)));                    // newest first (the dataset import before); refusals left none
        Assert.Equal($"run {ids[1]}", audit[1].Subject);
        Assert.Equal(2, (await _lab.Queries.PageAsync(new RunPageRequest(0, 10, CreatedBy: "alice"))).Total);   // "my runs"
        Assert.Equal(0, (await _lab.Queries.PageAsync(new RunPageRequest(0, 10, CreatedBy: "bob"))).Total);
    }

    [Fact]
    public async Task AnyResearcherTagsAndNotesARunButOnlyItsOwnerRenamesArchivesOrDeletesIt()
    {
        var ids = await QueueAsAliceAsync(seeds: 1);
        await _lab.Launcher.CancelAsync(ids[0], Alice);
        string name = Run(ids[0]).Name;

        await _lab.Editor.AnnotateAsync(ids[0], name, "checked", "bob looked at it", Bob);
        Assert.Equal(["checked"], Run(ids[0]).Tags);
        Assert.Equal("bob", Run(ids[0]).ChangedBy);
        var rename = await Assert.ThrowsAsync<ForbiddenException>(() => _lab.Editor.AnnotateAsync(ids[0], "bob's now", "", "", Bob));
        Assert.Contains("may rename only their own", rename.Message);
        Assert.Equal((name, "bob looked at it"), (Run(ids[0]).Name, Run(ids[0]).Notes));
        await Assert.ThrowsAsync<ForbiddenException>(() => _lab.Editor.AnnotateAsync(ids[0], name, "viewer's tag", "", Vera));

        await Assert.ThrowsAsync<ForbiddenException>(() => _lab.Editor.ArchiveAsync(ids, true, Bob));
        await Assert.ThrowsAsync<ForbiddenException>(() => _lab.Editor.DeleteAsync(ids, Bob));
        Assert.False(Run(ids[0]).Archived);
        await _lab.Editor.ArchiveAsync(ids, true, Alice);
        Assert.True(Run(ids[0]).Archived);
        await _lab.Editor.DeleteAsync(ids, Root);
        using var db = _lab.Db();
        Assert.Empty(db.Runs);
    }
}
