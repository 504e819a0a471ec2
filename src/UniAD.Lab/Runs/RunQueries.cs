using System.Linq.Expressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using UniAD.Core;
using UniAD.Core.Configuration;
using UniAD.Core.Training;
using UniAD.Core.Statistics;
using UniAD.Lab.Persistence;

namespace UniAD.Lab.Runs;

/// <summary>One page of the runs table: sorted and filtered in the database, so 10k runs stay fast.</summary>
/// <param name="CreatedBy">Only the runs this user queued ("my runs"); null for everyone's.</param>
public sealed record RunPageRequest(int Page, int PageSize, string? SortBy = null, bool Descending = true, string? Search = null,
    bool IncludeArchived = false, string? CreatedBy = null);

public sealed record RunPage(IReadOnlyList<RunRow> Runs, int Total);

/// <summary>Runs that share one value of the grouping key, with mean ± sample standard deviation of their results
/// (over finished runs; seeds of one config make the spread).</summary>
public sealed record RunGroup(string Value, int Runs, int Finished, double? ImageAurocMean, double? ImageAurocStd,
    double? PixelAurocMean, double? PixelAurocStd, IReadOnlyList<int> RunIds);

public sealed class RunQueries(IDbContextFactory<LabDbContext> databases, IOptions<LabOptions> options)
{
    /// <summary>What the runs table sorts by, by the name of its <see cref="RunRow"/> column.</summary>
    private static readonly Dictionary<string, Expression<Func<RunRecord, object?>>> SortKeys = new(StringComparer.OrdinalIgnoreCase)
    {
        [nameof(RunRow.Id)] = r => r.Id, [nameof(RunRow.Name)] = r => r.Name, [nameof(RunRow.Status)] = r => r.Status,
        [nameof(RunRow.CreatedAt)] = r => r.CreatedAt, [nameof(RunRow.Seed)] = r => r.Request.Seed, [nameof(RunRow.Preset)] = r => r.Request.Preset,
        [nameof(RunRow.Ablation)] = r => r.Request.Ablation, [nameof(RunRow.Group)] = r => r.Group,
        [nameof(RunRow.MeanImageAuroc)] = r => r.Summary.MeanImageAuroc, [nameof(RunRow.MeanPixelAuroc)] = r => r.Summary.MeanPixelAuroc,
        [nameof(RunRow.MeanAupro)] = r => r.Summary.MeanAupro, [nameof(RunRow.BestPixelAuroc)] = r => r.BestOnTest.PixelAuroc,
    };

    public static IReadOnlyCollection<string> SortableColumns => SortKeys.Keys;

    /// <summary>The page's run ids are sorted and cut first, then only those runs are read: sorting whole rows (each with its
    /// config) is what made a sort by a metric over 10,000 runs slow (BENCHMARKS.md).</summary>
    /// <exception cref="UserException">A page before the first, a page size outside its limit, or an unknown sort column.</exception>
    public async Task<RunPage> PageAsync(RunPageRequest request, CancellationToken cancel = default)
    {
        int limit = options.Value.Limits.PageSize;
        List<string?> found =
        [
            request.Page < 0 ? $"page {request.Page} does not exist: pages count from 0" : null,
            request.PageSize is < 1 || request.PageSize > limit ? $"page size {request.PageSize} is not between 1 and {limit} (Lab:Limits:PageSize)" : null,
            request.SortBy is { } by && !SortKeys.ContainsKey(by) ? $"unknown sort column '{by}'; known: {string.Join(", ", SortKeys.Keys)}" : null,
        ];
        if (found.OfType<string>().ToList() is { Count: > 0 } problems) throw new UserException(problems);
        await using var db = await databases.CreateDbContextAsync(cancel);
        var runs = Filtered(db, request);
        var key = SortKeys[request.SortBy ?? nameof(RunRow.Id)];
        var sorted = Sorted(runs, key, request.Descending);
        int total = await runs.CountAsync(cancel);
        var ids = await sorted.ThenBy(r => r.Id).Skip(request.Page * request.PageSize).Take(request.PageSize).Select(r => r.Id).ToListAsync(cancel);
        var rows = await db.Runs.AsNoTracking().Include(r => r.Dataset).Where(r => ids.Contains(r.Id)).ToDictionaryAsync(r => r.Id, cancel);
        return new RunPage([.. ids.Select(id => RunRow.Of(rows[id]))], total);
    }

    /// <summary>Sorted by <paramref name="key"/>, runs without a value (no result yet) last in either direction: SQLite
    /// puts NULL first when ascending and PostgreSQL when descending, and neither is what a reader of the table expects.</summary>
    private static IOrderedQueryable<RunRecord> Sorted(IQueryable<RunRecord> runs, Expression<Func<RunRecord, object?>> key, bool descending)
    {
        var value = key.Body is UnaryExpression { NodeType: ExpressionType.Convert } boxed ? boxed.Operand : key.Body;
        if (Nullable.GetUnderlyingType(value.Type) is null) return descending ? runs.OrderByDescending(key) : runs.OrderBy(key);
        var missing = runs.OrderBy(Expression.Lambda<Func<RunRecord, bool>>(Expression.Equal(value, Expression.Constant(null, value.Type)), key.Parameters));
        return descending ? missing.ThenByDescending(key) : missing.ThenBy(key);
    }

    /// <summary>The runs the search text and the archived switch let through, unsorted.</summary>
    private static IQueryable<RunRecord> Filtered(LabDbContext db, RunPageRequest request)
    {
        var runs = db.Runs.AsNoTracking().Where(r => request.IncludeArchived || !r.Archived);
        if (request.CreatedBy is { } creator) runs = runs.Where(r => r.CreatedBy == creator);
        if (string.IsNullOrWhiteSpace(request.Search)) return runs;
        var term = request.Search.Trim();
        return runs.Where(r => r.Name.Contains(term) || r.Tags.Any(t => t.Contains(term)) || r.Notes.Contains(term) || r.Request.Preset.Contains(term)
                               || r.Request.Ablation.Contains(term) || r.Group.Contains(term) || r.Dataset!.Name.Contains(term));
    }

    /// <summary>Keys runs can be grouped by: run fields, then every config key.</summary>
    public static IReadOnlyList<string> GroupingKeys { get; } =
        ["preset", "ablation", "dataset", "group", "seed", .. ConfigDiff.Flatten(new UniadConfig()).Keys.Order(StringComparer.Ordinal)];

    public async Task<IReadOnlyList<RunGroup>> GroupAsync(string key, RunPageRequest filter, CancellationToken cancel = default)
    {
        if (!GroupingKeys.Contains(key)) throw new UserException($"unknown grouping key '{key}'");
        await using var db = await databases.CreateDbContextAsync(cancel);
        var runs = await Filtered(db, filter).Include(r => r.Dataset).ToListAsync(cancel);
        return runs.GroupBy(r => key switch
            {
                "preset" => r.Request.Preset,
                "ablation" => r.Request.Ablation,
                "dataset" => $"{r.Dataset?.Name}@{r.Dataset?.ShortVersion}",
                "group" => r.Group,
                "seed" => r.Request.Seed.ToString(System.Globalization.CultureInfo.InvariantCulture),
                _ => ConfigDiff.Flatten(UniadConfig.FromJson(r.Request.ConfigJson)).GetValueOrDefault(key, "(absent)"),
            })
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g =>
            {
                var finished = g.Where(r => r.Status == RunStatus.Finished).ToList();
                var image = Summary.Of(finished.Select(r => r.Summary.MeanImageAuroc).OfType<double>());
                var pixel = Summary.Of(finished.Select(r => r.Summary.MeanPixelAuroc).OfType<double>());
                return new RunGroup(g.Key, g.Count(), finished.Count, image?.Mean, image?.Std, pixel?.Mean, pixel?.Std, [.. g.Select(r => r.Id).Order()]);
            }).ToList();
    }

    /// <summary>The run with its dataset, history, per-category results and test evaluations.</summary>
    public async Task<RunRecord?> GetAsync(int id, CancellationToken cancel = default)
    {
        await using var db = await databases.CreateDbContextAsync(cancel);
        return await db.Runs.AsNoTracking().Include(r => r.Dataset).Include(r => r.History.OrderBy(e => e.Epoch))
            .Include(r => r.Results.OrderBy(c => c.IsMean).ThenBy(c => c.Category))
            .Include(r => r.Evaluations.OrderBy(e => e.Epoch).ThenBy(e => e.IsMean).ThenBy(e => e.Category)).AsSplitQuery()
            .SingleOrDefaultAsync(r => r.Id == id, cancel);
    }

    /// <summary>The run as a list shows it, without its history, results or evaluations.</summary>
    public async Task<RunRow?> RowAsync(int id, CancellationToken cancel = default)
    {
        await using var db = await databases.CreateDbContextAsync(cancel);
        return await db.Runs.AsNoTracking().Include(r => r.Dataset).SingleOrDefaultAsync(r => r.Id == id, cancel) is { } run ? RunRow.Of(run) : null;
    }

    /// <summary>The run's folder, for serving its files; null for no such run.</summary>
    public async Task<RunFolder?> FolderAsync(int id, CancellationToken cancel = default)
    {
        await using var db = await databases.CreateDbContextAsync(cancel);
        return await db.Runs.Where(r => r.Id == id).Select(r => r.Folder).SingleOrDefaultAsync(cancel) is { } folder ? new RunFolder(folder) : null;
    }

    /// <summary>What the run page and the API show of a run: the run, its parsed config and what its folder holds.</summary>
    public async Task<RunDetail?> DetailAsync(int id, CancellationToken cancel = default)
    {
        if (await GetAsync(id, cancel) is not { } run) return null;
        var config = UniadConfig.FromJson(run.Request.ConfigJson);
        return await Task.Run(() =>
        {
            var folder = new RunFolder(run.Folder);
            var defectTypes = run.Status == RunStatus.Finished ? folder.ReadResults()?.DefectTypes ?? [] : [];   // none in runs from before the breakdown
            return new RunDetail(run, config, folder.TailLog(RunDetail.LogLines), [.. RunFolder.Downloads.Where(folder.Has)], defectTypes);
        }, cancel);
    }

    /// <summary>A run's resource samples in time order, thinned evenly to at most <paramref name="maxPoints"/> (a chart
    /// needs no more; a day of training at the default rate is 17,000 samples).</summary>
    public async Task<IReadOnlyList<ResourceSample>> ResourcesAsync(int runId, int maxPoints = 2000, CancellationToken cancel = default)
    {
        await using var db = await databases.CreateDbContextAsync(cancel);
        var samples = await db.ResourceSamples.AsNoTracking().Where(s => s.RunId == runId).OrderBy(s => s.Seconds).ToListAsync(cancel);
        int stride = (samples.Count + maxPoints - 1) / Math.Max(1, maxPoints);
        return stride <= 1 ? samples : samples.Where((_, i) => i % stride == 0).ToList();
    }

    /// <summary>Queued and running runs, oldest first: the queue in the order workers take it.</summary>
    public async Task<IReadOnlyList<RunRow>> ActiveAsync(CancellationToken cancel = default)
    {
        await using var db = await databases.CreateDbContextAsync(cancel);
        return [.. (await db.Runs.AsNoTracking().Include(r => r.Dataset)
            .Where(r => r.Status == RunStatus.Queued || r.Status == RunStatus.Running).OrderBy(r => r.Id).ToListAsync(cancel)).Select(RunRow.Of)];
    }
}
