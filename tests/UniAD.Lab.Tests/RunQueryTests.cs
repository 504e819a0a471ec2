using UniAD.Core;
using UniAD.Core.Configuration;
using UniAD.Lab.Persistence;
using UniAD.Lab.Runs;

namespace UniAD.Lab.Tests;

public class RunQueryTests
{
    [Fact]
    public async Task RunsGroupByAnyConfigKeyWithMeanAndSpreadOverSeeds()
    {
        using var lab = new Lab();
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
        using var lab = new Lab();
        var error = await Assert.ThrowsAsync<UserException>(() => lab.Queries.PageAsync(new RunPageRequest(-1, 5000, SortBy: "Colour")));
        Assert.Equal(["page -1 does not exist: pages count from 0", "page size 5000 is not between 1 and 1000 (Lab:Limits:PageSize)",
                      $"unknown sort column 'Colour'; known: {string.Join(", ", RunQueries.SortableColumns)}"], error.Problems);
        Assert.Equal(0, (await lab.Queries.PageAsync(new RunPageRequest(0, 10, SortBy: "meanImageAuroc"))).Total);   // a column's name in any case
    }
}
