using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using UniAD.Core;
using UniAD.Lab.Accounts;
using UniAD.Lab.Persistence;

namespace UniAD.Lab.Tests;

/// <summary>A SQLite lab with real runs moved into an empty PostgreSQL database: every table row for row, keys kept
/// (the next run gets a new id), queued runs on the new queue, a token still good, and a target that is not empty refused.</summary>
[Collection(TorchRng.Name)]
public sealed class DatabaseMoveTests
{
    [Fact]
    public async Task ALabWithRealRunsMovesIntoAnEmptyPostgresDatabaseRowForRow()
    {
        using var sqlite = new Lab();
        int datasetId = await sqlite.ImportTinyAsync();
        var ids = await sqlite.QueueAsync(datasetId, TinyDataset.Config(epochs: 2), [1, 2], "moved");
        sqlite.Job().Run(ids[0], CancellationToken.None);                                  // curves, evaluations, results, samples
        await sqlite.Editor.AnnotateAsync(ids[0], "the trained one", "kept, tagged", "its notes", LabActor.Laptop);
        var (study, _) = StudyTests.TinyStudy(sqlite, datasetId).ToSpec();
        await sqlite.Requests.QueueAsync(study, "ana");
        string secret;
        await using (var scope = sqlite.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<LabAccounts>().CreateFirstAdminAsync("ada", "a long passphrase");
            var ada = await scope.ServiceProvider.GetRequiredService<UserManager<LabUser>>().FindByNameAsync("ada");
            secret = await sqlite.Get<AccessTokens>().CreateAsync(ada!.Id, new LabActor("ada", LabRole.Admin), "ci", days: 30);
        }

        using var postgres = new Lab(DatabaseProvider.Postgres);
        var report = await DatabaseMove.MoveAsync(sqlite.Databases, postgres.Databases);

        Assert.True(report.Identical, string.Join("\n", report.Differences));
        using (var from = sqlite.Db())
        using (var to = postgres.Db())
        {
            // Counted apart from the move's own comparison, each a table the issue names.
            (string Table, int Source, int Target)[] counts =
            [
                ("Datasets", from.Datasets.Count(), to.Datasets.Count()), ("Runs", from.Runs.Count(), to.Runs.Count()),
                ("Epochs", from.Epochs.Count(), to.Epochs.Count()), ("CategoryResults", from.CategoryResults.Count(), to.CategoryResults.Count()),
                ("TestEvaluations", from.TestEvaluations.Count(), to.TestEvaluations.Count()),
                ("ResourceSamples", from.ResourceSamples.Count(), to.ResourceSamples.Count()), ("Studies", from.Studies.Count(), to.Studies.Count()),
                ("AspNetUsers", from.Users.Count(), to.Users.Count()), ("AspNetUserRoles", from.UserRoles.Count(), to.UserRoles.Count()),
                ("AccessTokens", from.AccessTokens.Count(), to.AccessTokens.Count()), ("AuditEntries", from.AuditEntries.Count(), to.AuditEntries.Count()),
            ];
            Assert.All(counts, c => Assert.True(c.Source > 0 && c.Source == c.Target, $"{c.Table}: {c.Source} rows, {c.Target} moved"));
            Assert.All(counts, c => Assert.Equal(c.Source, report.Tables.Single(t => t.Table == c.Table).Rows));
        }
        var (before, after) = ((await sqlite.Queries.GetAsync(ids[0]))!, (await postgres.Queries.GetAsync(ids[0]))!);
        Assert.Equal((before.Name, before.Status, string.Join(",", before.Tags), before.Notes), (after.Name, after.Status, string.Join(",", after.Tags), after.Notes));
        Assert.Equal(before.History.Select(e => e.Loss), after.History.Select(e => e.Loss));
        Assert.Equal(before.Results.Select(r => (r.Category, r.ImageAuroc, r.PixelAuroc, r.Aupro)), after.Results.Select(r => (r.Category, r.ImageAuroc, r.PixelAuroc, r.Aupro)));
        Assert.Equal((await postgres.Get<AccessTokens>().CheckAsync(secret)).UserId, (await sqlite.Get<AccessTokens>().CheckAsync(secret)).UserId);

        // The comparison finds what differs: one loss changed in the target is one differing row, named.
        using (var to = postgres.Db())
            await to.Epochs.Where(e => e.RunId == ids[0] && e.Epoch == 2).ExecuteUpdateAsync(set => set.SetProperty(e => e.Loss, e => e.Loss + 1));
        var compared = await DatabaseMove.CompareAsync(sqlite.Databases, postgres.Databases);
        Assert.Equal(1, compared.Tables.Single(t => t.Table == "Epochs").Differing);
        Assert.Contains("Loss", Assert.Single(compared.Differences, d => d.StartsWith("Epochs")));
        Assert.Equal(1, compared.Tables.Single(t => t.Table == "AccessTokens").Differing);   // and the token's last use, checked on both above

        // Queued runs (the untrained seed and the study's four) are on the new database's queue; new rows get new keys.
        Assert.Equal(5, await postgres.Launcher.RequeueQueuedAsync());
        Assert.Equal(5, postgres.JobStorage.GetMonitoringApi().EnqueuedCount(Queues.Training));
        using (var to = postgres.Db())
        {
            int largest = to.Runs.Max(r => r.Id);
            var next = await postgres.QueueAsync(datasetId, TinyDataset.Config(epochs: 1), [3], "after the move");
            Assert.Equal(largest + 1, Assert.Single(next));
        }

        var refused = await Assert.ThrowsAsync<UserException>(() => DatabaseMove.MoveAsync(sqlite.Databases, postgres.Databases));
        Assert.StartsWith("the target database is not empty (", refused.Message);
        Assert.Contains("7 in Runs", refused.Message);
    }
}
