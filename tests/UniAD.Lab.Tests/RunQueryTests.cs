using UniAD.Core;
using UniAD.Core.Configuration;
using UniAD.Lab.Persistence;
using UniAD.Lab.Runs;

namespace UniAD.Lab.Tests;

public abstract class RunQueryTests(DatabaseProvider database)
{
    public sealed class OnSqlite() : RunQueryTests(DatabaseProvider.Sqlite);
    public sealed class OnPostgres() : RunQueryTests(DatabaseProvider.Postgres);

    [Fact]
    public async Task RunsGroupByAnyConfigKeyWithMeanAndSpreadOverSeeds()
    {
        using var lab = new Lab(database);
        int datasetId = await lab.ImportTinyAsync();
        var full = Presets.QuickCpu;
        var vanilla = Presets.Vanilla(full);
        using (var db = lab.Db())
        {
            foreach (var (config, seed, auroc, status) in new[] { (full, 1, 0.90, RunStatus.Finished), (full, 2, 0.94, RunStatus.Finished),
                         (vanilla, 1, 0.80, RunStatus.Finished), (vanilla, 2, (double?)null, RunStatus.Failed) })
                db.Runs.Add(new RunRecord
                {
                    Name = $"s{seed}", DatasetId = datasetId, Status = status, Request = new() { Seed = seed, ConfigJson = config.ToJson() },
                    Summary = new() { MeanImageAuroc = auroc },
                });
            db.SaveChanges();
        }

        var groups = await lab.Queries.GroupAsync("model.queries", new RunPageRequest(0, 10));

        Assert.Equal(["\"layerwise\"", "\"none\""], groups.Select(g => g.Value));
        var layerwise = groups[0];
        Assert.Equal((2, 2), (layerwise.Runs, layerwise.Finished));
        Assert.Equal(0.92, layerwise.ImageAurocMean!.Value, 1e-12);
        Assert.Equal(Math.Sqrt(0.0008), layerwise.ImageAurocStd!.Value, 1e-12);
        Assert.Equal((2, 1, (double?)null), (groups[1].Runs, groups[1].Finished, groups[1].ImageAurocStd));
        Assert.Equal(0.80, groups[1].ImageAurocMean!.Value, 1e-12);
        Assert.Equal(2, (await lab.Queries.GroupAsync("seed", new RunPageRequest(0, 10))).Count);
        await Assert.ThrowsAsync<UserException>(() => lab.Queries.GroupAsync("model.nonsense", new RunPageRequest(0, 10)));
    }

    [Fact]
    public async Task APageBeforeTheFirstASizeOverTheLimitAndAnUnknownSortColumnAreSaid()
    {
        using var lab = new Lab(database);
        var error = await Assert.ThrowsAsync<UserException>(() => lab.Queries.PageAsync(new RunPageRequest(-1, 5000, SortBy: "Colour")));
        Assert.Equal(["page -1 does not exist: pages count from 0", "page size 5000 is not between 1 and 1000 (Lab:Limits:PageSize)",
                      $"unknown sort column 'Colour'; known: {string.Join(", ", RunQueries.SortableColumns)}"], error.Problems);
        Assert.Equal(0, (await lab.Queries.PageAsync(new RunPageRequest(0, 10, SortBy: "meanImageAuroc"))).Total);   // a column's name in any case
    }

    /// <summary>The runs grid at the scale the README promises: 10,000 runs, paged, sorted by a metric some runs lack,
    /// searched and filtered in the database, each page what the same rules give over the rows in memory.</summary>
    [Fact]
    public async Task TenThousandRunsPageSortSearchAndFilterInTheDatabase()
    {
        using var lab = new Lab(database);
        int datasetId = await lab.ImportTinyAsync();
        var random = new Random(19);
        var runs = Enumerable.Range(1, 10_000).Select(i => new RunRecord
        {
            Name = $"run {i}", DatasetId = datasetId, CreatedBy = i % 3 == 0 ? "alice" : "bob", Archived = i % 50 == 0, Tags = i % 2 == 0 ? ["even"] : [],
            Status = i % 10 == 0 ? RunStatus.Failed : RunStatus.Finished,
            Request = new() { Seed = i % 5, ConfigJson = "{}" },
            Summary = new() { MeanImageAuroc = i % 10 == 0 ? null : Math.Round(random.NextDouble(), 3) },   // rounded: ties, broken by id
        }).ToList();
        foreach (var batch in runs.Chunk(2_000))
        {
            using var db = lab.Db();
            db.ChangeTracker.AutoDetectChangesEnabled = false;
            db.Runs.AddRange(batch);
            await db.SaveChangesAsync();
        }
        var shown = runs.Where(r => !r.Archived).ToList();
        int[] Ids(RunPage page) => [.. page.Runs.Select(r => r.Id)];

        var newest = await lab.Queries.PageAsync(new RunPageRequest(0, 50));
        Assert.Equal(shown.Count, newest.Total);
        Assert.Equal(shown.OrderByDescending(r => r.Id).Take(50).Select(r => r.Id), Ids(newest));

        var best = await lab.Queries.PageAsync(new RunPageRequest(100, 50, SortBy: nameof(RunRow.MeanImageAuroc)));
        var bestFirst = shown.OrderBy(r => r.Summary.MeanImageAuroc is null).ThenByDescending(r => r.Summary.MeanImageAuroc).ThenBy(r => r.Id).ToList();
        Assert.Equal(bestFirst.Skip(5_000).Take(50).Select(r => r.Id), Ids(best));

        // Ascending, the runs without a result still come last, not first.
        var worst = await lab.Queries.PageAsync(new RunPageRequest(0, 20, SortBy: nameof(RunRow.MeanImageAuroc), Descending: false));
        Assert.Equal(shown.Where(r => r.Summary.MeanImageAuroc is not null).OrderBy(r => r.Summary.MeanImageAuroc).ThenBy(r => r.Id).Take(20).Select(r => r.Id), Ids(worst));
        int lastPage = (shown.Count - 1) / 1_000;
        var tail = await lab.Queries.PageAsync(new RunPageRequest(lastPage, 1_000, SortBy: nameof(RunRow.MeanImageAuroc), Descending: false));
        Assert.All(tail.Runs.TakeLast(10), r => Assert.Null(r.MeanImageAuroc));

        var search = await lab.Queries.PageAsync(new RunPageRequest(0, 1_000, Search: "run 99"));
        Assert.Equal(shown.Where(r => r.Name.Contains("run 99")).OrderByDescending(r => r.Id).Select(r => r.Id), Ids(search));
        Assert.Equal(shown.Count(r => r.Tags.Contains("even")), (await lab.Queries.PageAsync(new RunPageRequest(0, 1, Search: "even"))).Total);
        Assert.Equal(runs.Count(r => r.CreatedBy == "alice"), (await lab.Queries.PageAsync(new RunPageRequest(0, 1, IncludeArchived: true, CreatedBy: "alice"))).Total);
    }
}
