using UniAD.Core;
using UniAD.Lab.Accounts;
using UniAD.Lab.Persistence;
using UniAD.Lab.Runs;

namespace UniAD.Lab.Tests;

public abstract class RunCancelTests(DatabaseProvider database)
{
    public sealed class OnSqlite() : RunCancelTests(DatabaseProvider.Sqlite);
    public sealed class OnPostgres() : RunCancelTests(DatabaseProvider.Postgres);

    /// <summary>Bulk cancel takes runs by id, by group or by study, in one transaction, and leaves the runs that ended.</summary>
    [Fact]
    public async Task ManyRunsCancelInOneRequestAndOnlyThoseThatHadNotEnded()
    {
        using var lab = new Lab(database);
        int datasetId = await lab.ImportTinyAsync();
        var seeds = await lab.QueueAsync(datasetId, TinyDataset.Config(epochs: 1), [.. Enumerable.Range(1, 40)], "many");
        var other = await lab.QueueAsync(datasetId, TinyDataset.Config(epochs: 1), [1], "apart");
        string group;
        using (var db = lab.Db())
        {
            var first = db.Runs.Single(r => r.Id == seeds[0]);
            (first.Status, group) = (RunStatus.Finished, first.Group);
            db.SaveChanges();
        }

        Assert.Equal(39, await lab.Launcher.CancelAsync(new RunSelection(Group: group), LabActor.Laptop));

        using (var db = lab.Db())
        {
            Assert.Equal(RunStatus.Finished, db.Runs.Single(r => r.Id == seeds[0]).Status);
            Assert.All(db.Runs.Where(r => r.Group == group && r.Id != seeds[0]).ToList(), r => Assert.Equal((RunStatus.Cancelled, true), (r.Status, r.CancelRequested)));
            Assert.Equal(RunStatus.Queued, db.Runs.Single(r => r.Id == other[0]).Status);
        }
        using (var jobs = lab.JobStorage.GetConnection())                       // the job server hears of it: no worker will start them
        using (var db = lab.Db())
            Assert.Equal([.. Enumerable.Repeat("Deleted", 39), "Enqueued", "Enqueued"],
                db.Runs.OrderBy(r => r.Status == RunStatus.Cancelled ? 0 : 1).Select(r => r.JobId!).ToList().Select(job => jobs.GetStateData(job).Name));
        Assert.Equal(1, await lab.Launcher.CancelAsync(new RunSelection([.. seeds, .. other]), LabActor.Laptop));
        Assert.Equal(0, await lab.Launcher.CancelAsync(new RunSelection([.. seeds, .. other]), LabActor.Laptop));
        await Assert.ThrowsAsync<UserException>(() => lab.Launcher.CancelAsync(new RunSelection(seeds, Group: group), LabActor.Laptop));
        await Assert.ThrowsAsync<UserException>(() => lab.Launcher.CancelAsync(new RunSelection([.. Enumerable.Range(1, 10_001)]), LabActor.Laptop));
        await Assert.ThrowsAsync<NotFoundException>(() => lab.Launcher.CancelAsync(999, LabActor.Laptop));
    }
}
