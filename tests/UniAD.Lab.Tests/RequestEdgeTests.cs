using UniAD.Core;
using UniAD.Lab.Accounts;
using UniAD.Lab.Persistence;
using UniAD.Lab.Runs;
using UniAD.Lab.Studies;

namespace UniAD.Lab.Tests;

/// <summary>Requests at the edges of the one request path: counts too large to multiply in 32 bits, a study that asks for
/// two designs at once, a blank group to cancel, names the lab made longer than the limit, and a form that changed
/// since its last check.</summary>
public abstract class RequestEdgeTests(DatabaseProvider database) : IDisposable
{
    public sealed class OnSqlite() : RequestEdgeTests(DatabaseProvider.Sqlite);
    public sealed class OnPostgres() : RequestEdgeTests(DatabaseProvider.Postgres);

    private readonly Lab _lab = new(database);

    [Fact]
    public async Task AStudyWhoseRunsOverflowACountIsRefusedByTheLimit()
    {
        var dataset = await _lab.ImportTinyAsync();
        var variants = Enumerable.Range(0, 65_536).Select(i => new StudyVariant($"v{i}", [])).ToList();
        var plan = await _lab.Requests.PlanAsync(new StudySpec(new RunSpec(dataset, "huge", Seeds: [.. Enumerable.Range(0, 65_536)]), variants));
        Assert.Contains("4294967296 runs (65536 variants × 65536 seeds); a request queues at most 500 (Lab:Limits:RunsPerRequest)", plan.Problems);
        Assert.Empty(plan.Runs);
    }

    [Fact]
    public async Task AStudyIsOneDesignNotSeveral()
    {
        var dataset = await _lab.ImportTinyAsync();
        var plan = await _lab.Requests.PlanAsync(new StudySpec(new RunSpec(dataset, "both"), PaperAblations: true,
            Sweep: [new SweepAxis("training.epochs", ["1", "2"])]));
        Assert.Equal(["a study has named variants, the paper's ablations or a sweep: this request asks for more than one"], plan.Problems);
        await Assert.ThrowsAsync<UserException>(() => _lab.Requests.QueueAsync(plan.Spec, "ada"));
        await using var db = _lab.Db();
        Assert.Empty(db.Studies);
    }

    [Fact]
    public async Task ABlankGroupCancelsNothing()
    {
        var single = (await _lab.QueueAsync(await _lab.ImportTinyAsync(), TinyDataset.Config(epochs: 1), [1], "alone"))[0];
        var error = await Assert.ThrowsAsync<UserException>(() => _lab.Launcher.CancelAsync(new RunSelection(Group: ""), LabActor.Laptop));
        Assert.Equal("a group needs its name: runs queued on their own have none", error.Message);
        Assert.Equal(RunStatus.Queued, (await _lab.Queries.RowAsync(single))!.Status);
    }

    /// <summary>A study's run is named by the study, its variant and its seed, which may pass the name limit; its tags and
    /// notes can still be edited while the name stays as the lab made it.</summary>
    [Fact]
    public async Task ARunNamedByTheLabKeepsItsNameWhenItsTagsChange()
    {
        var dataset = await _lab.ImportTinyAsync();
        var (name, variant) = (new string('s', _lab.Options.Limits.NameLength), new string('v', _lab.Options.Limits.NameLength));
        var spec = Lab.SpecOf(dataset, TinyDataset.Config(epochs: 1), [1], name);
        int study = await _lab.Requests.QueueAsync(new StudySpec(spec, [new StudyVariant(variant, []), new StudyVariant("other", [])]), "ada");
        await using var db = _lab.Db();
        var run = db.Runs.Single(r => r.StudyId == study && r.Variant == variant);
        Assert.True(run.Name.Length > _lab.Options.Limits.NameLength);

        await _lab.Editor.AnnotateAsync(run.Id, run.Name, "long, kept", "fine", LabActor.Laptop);
        Assert.Equal(["long", "kept"], (await _lab.Queries.RowAsync(run.Id))!.Tags);
        var renamed = await Assert.ThrowsAsync<UserException>(() => _lab.Editor.AnnotateAsync(run.Id, run.Name + "!", "", "", LabActor.Laptop));
        Assert.StartsWith("the name: ", renamed.Message);
    }

    [Fact]
    public async Task AFormIsQueuedAsItIsNowNotAsItWasLastChecked()
    {
        var draft = _lab.Requests.NewDraft();
        (draft.DatasetId, draft.Name, draft.Seeds) = (await _lab.ImportTinyAsync(), "typed", "7, eight");
        var error = await Assert.ThrowsAsync<UserException>(() => _lab.Requests.QueueAsync(draft, "ada"));
        Assert.Equal(["seed 'eight' is not a whole number"], error.Problems);
        Assert.Equal(0, (await _lab.Queries.PageAsync(new RunPageRequest(0, 10))).Total);
    }

    /// <summary>The New run form shows the config while the name is still missing.</summary>
    [Fact]
    public async Task APlanWithProblemsStillHoldsTheConfigWhenItCanBeBuilt()
    {
        var plan = await _lab.Requests.PlanAsync(new RunSpec(await _lab.ImportTinyAsync(), null));
        Assert.Equal(["give the run a name"], plan.Problems);
        Assert.NotNull(plan.Config);
        Assert.Empty(plan.Runs);
    }

    public void Dispose() => _lab.Dispose();
}
