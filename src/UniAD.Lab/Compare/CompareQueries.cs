using Microsoft.EntityFrameworkCore;
using UniAD.Core;
using UniAD.Core.Statistics;
using UniAD.Lab.Persistence;

namespace UniAD.Lab.Compare;

/// <summary>Builds a <see cref="Comparison"/> from the database: the selected runs with their per-category results and
/// curves in a few queries, whatever the number of runs (per-category results are rows keyed by run, so they load in one).</summary>
public sealed class CompareQueries(IDbContextFactory<LabDbContext> databases)
{
    public async Task<Comparison> BuildAsync(CompareSelection selection, bool withCurves = true, CancellationToken cancel = default)
    {
        var ids = selection.Items.SelectMany(i => i.RunIds).ToList();
        var runs = (await LoadAsync(ids, withCurves, cancel)).ToDictionary(r => r.Id);
        var missing = ids.Where(id => !runs.ContainsKey(id)).ToList();
        if (missing.Count > 0) throw new NotFoundException($"no run {string.Join(", ", missing.Select(i => $"#{i}"))}");
        var items = selection.Items.Select((s, index) => new CompareItem(s.Label ?? DefaultLabel(s, runs, index), [.. s.RunIds.Select(id => runs[id])])).ToList();
        var compared = items.Select(Describe).ToList();
        return new Comparison(selection, compared, Comparison.Differences(items), Warnings(compared),
            Core.Configuration.UniadConfig.FromJson(items[0].Runs[0].Request.ConfigJson));
    }

    /// <summary>Runs with their results (and, for curves, their epochs and test evaluations), split into one query per
    /// table rather than one wide join.</summary>
    public async Task<List<RunRecord>> LoadAsync(IReadOnlyCollection<int> ids, bool withCurves, CancellationToken cancel = default)
    {
        await using var db = await databases.CreateDbContextAsync(cancel);
        IQueryable<RunRecord> query = db.Runs.AsNoTracking().Where(r => ids.Contains(r.Id)).Include(r => r.Dataset).Include(r => r.Results);
        if (withCurves) query = query.Include(r => r.History.OrderBy(e => e.Epoch)).Include(r => r.Evaluations.Where(e => e.IsMean).OrderBy(e => e.Epoch));
        return await query.AsSplitQuery().ToListAsync(cancel);
    }

    /// <summary>A single run by its number and name; a group by its study variant or run group when its runs share one.</summary>
    private static string DefaultLabel(SelectedItem item, IReadOnlyDictionary<int, RunRecord> runs, int index)
    {
        var members = item.RunIds.Select(id => runs[id]).ToList();
        if (members.Count == 1) return $"#{members[0].Id} {members[0].Name}";
        if (members.Select(r => (r.StudyId, r.Variant)).Distinct().Count() == 1 && members[0].Variant.Length > 0) return members[0].Variant;
        if (members.Select(r => r.Group).Distinct().Count() == 1 && members[0].Group.Length > 0) return members[0].Group;
        return $"group {index + 1}";
    }

    private static ComparedItem Describe(CompareItem item)
    {
        var finished = item.Runs.Where(r => r.Status == RunStatus.Finished).ToList();
        var unified = item.Runs.Select(r => r.IsUnified).Distinct().ToList();
        var kind = unified.Count > 1 ? ModelKind.Mixed : unified[0] ? ModelKind.Unified : ModelKind.PerCategory;
        return new ComparedItem(item, kind,
            [.. item.Runs.Select(Comparison.DatasetLabel).Distinct()],
            [.. finished.Select(r => r.Summary.ImageScore).Distinct()],
            Summary.Of(finished.Where(r => r.Cost.WallSeconds is not null).Select(r => r.Cost.WallSeconds!.Value)),
            Summary.Of(finished.Where(r => r.Progress.ImagesPerSecond is not null).Select(r => r.Progress.ImagesPerSecond!.Value)),
            finished.Max(r => r.Cost.PeakMemoryBytes), finished.Max(r => r.Cost.PeakGpuMemoryBytes));
    }

    private static List<string> Warnings(IReadOnlyList<ComparedItem> items)
    {
        var warnings = new List<string>();
        string Where(IEnumerable<int> indexes) => string.Join(", ", indexes.Select(i => items[i].Label));
        void Differ(string what, Func<ComparedItem, IReadOnlyList<string>> values, string consequence)
        {
            foreach (var item in items.Where(i => values(i).Count > 1))
                warnings.Add($"{item.Label} mixes {what}s ({string.Join(", ", values(item))}): {consequence}");
            var byValue = items.Select((item, i) => (item, i)).Where(x => values(x.item).Count == 1).GroupBy(x => values(x.item)[0]).ToList();
            if (byValue.Count > 1)
                warnings.Add($"different {what}s: {string.Join("; ", byValue.Select(g => $"{g.Key} ({Where(g.Select(x => x.i))})"))}: {consequence}");
        }
        Differ("dataset version", i => i.DatasetVersions, "per-category numbers come from different test sets");
        Differ("image score", i => i.ImageScores, "image-level metrics are not comparable (pixel metrics are)");
        if (items.Select(i => i.Kind).Distinct().Count() > 1 || items.Any(i => i.Kind == ModelKind.Mixed))
            warnings.Add("unified models and per-category models are compared: each label says which it is");
        var categorySets = items.Select(i => string.Join(',', i.Runs.SelectMany(r => r.Results).Where(r => !r.IsMean).Select(r => r.Category).Distinct().Order()))
            .Where(s => s.Length > 0).Distinct().Count();
        if (categorySets > 1)
            warnings.Add("the items cover different categories: their means average over different sets (the paired tests use the categories both have)");
        foreach (var run in items.SelectMany(i => i.Runs).Where(r => r.Status != RunStatus.Finished))
            warnings.Add($"run #{run.Id} is {run.Status.ToString().ToLowerInvariant()}: it has no results yet");
        return warnings;
    }
}
