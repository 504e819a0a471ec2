using UniAD.Core;
using UniAD.Core.Statistics;
using UniAD.Lab.Persistence;

namespace UniAD.Lab.Compare;

/// <summary>Runs compared as one: a single run, a group of seeds of one config, a study's variant, or models of one
/// category each (per-category training).</summary>
public sealed record CompareItem(string Label, IReadOnlyList<RunRecord> Runs);

/// <summary>One measurement in a cell: the run it comes from and that run's seed.</summary>
public sealed record SeedValue(int Seed, int RunId, double Value);

/// <param name="Values">A category cell: one value per run that has it. The mean column: one value per seed, the mean
/// over the categories that seed's runs cover.</param>
/// <param name="Delta">Mean minus the baseline's mean in the same column.</param>
/// <param name="SeedTest">This cell against the baseline's, paired by seed, when they share at least
/// <see cref="MetricMatrix.MinSeedsForTest"/> seeds.</param>
public sealed record MatrixCell(IReadOnlyList<SeedValue> Values, Summary? Summary, double? Delta, WilcoxonResult? SeedTest);

/// <param name="CategoryTest">The row against the baseline over the categories both have, paired by category.</param>
/// <param name="SeedTest">The row's mean over categories against the baseline's, paired by seed (at least
/// <see cref="MetricMatrix.MinSeedsForTest"/> shared seeds).</param>
public sealed record MatrixRow(CompareItem Item, IReadOnlyList<MatrixCell> Cells, MatrixCell Mean, WilcoxonResult? CategoryTest,
    WilcoxonResult? SeedTest);

/// <summary>Items (rows) × categories (columns) and the mean column for one metric: the compare view's table and a
/// study's matrix. Each cell is the mean ± std over the seeds that have it; with a baseline row, each cell carries its
/// delta and the rows their paired Wilcoxon signed-rank tests (docs/statistics.md).</summary>
public sealed record MetricMatrix(Metric Metric, IReadOnlyList<string> Categories, IReadOnlyList<MatrixRow> Rows, int? Baseline)
{
    /// <summary>Fewer pairs than this and a test over seeds is not run: with 5, the smallest two-sided p is already 1/16.</summary>
    public const int MinSeedsForTest = 5;
    /// <summary>The significance level the views colour by.</summary>
    public const double Alpha = 0.05;

    public static MetricMatrix Build(IReadOnlyList<CompareItem> items, Metric metric, int? baseline = null)
    {
        if (baseline is int b && (b < 0 || b >= items.Count)) throw new UserException($"baseline {b} is not one of the {items.Count} rows");
        var categories = items.SelectMany(i => i.Runs).SelectMany(r => r.Results).Where(r => !r.IsMean && r.Of(metric) is not null)
            .Select(r => r.Category).Distinct().Order(StringComparer.Ordinal).ToList();
        var raw = items.Select(item => (
            Item: item,
            Cells: categories.Select(c => CellValues(item, c, metric)).ToList(),
            Mean: SeedMeans(item, categories, metric))).ToList();

        MatrixCell Cell(IReadOnlyList<SeedValue> values, IReadOnlyList<SeedValue>? against)
        {
            var summary = Summary.Of(values.Select(v => v.Value));
            var reference = against is null ? null : Summary.Of(against.Select(v => v.Value));
            double? delta = summary is not null && reference is not null ? summary.Mean - reference.Mean : null;
            return new MatrixCell(values, summary, delta, against is null ? null : PairedBySeed(values, against));
        }

        var rows = raw.Select((row, i) =>
        {
            var reference = baseline is int bl && bl != i ? raw[bl] : default;
            bool compared = reference.Item is not null;
            var cells = row.Cells.Select((values, c) => Cell(values, compared ? reference.Cells[c] : null)).ToList();
            var mean = Cell(row.Mean, compared ? reference.Mean : null);
            WilcoxonResult? overCategories = null;
            if (compared)
            {
                var pairs = cells.Zip(reference.Cells, (mine, theirs) => (mine.Summary, Theirs: Summary.Of(theirs.Select(v => v.Value))))
                    .Where(p => p.Summary is not null && p.Theirs is not null).ToList();
                if (pairs.Count > 0) overCategories = WilcoxonSignedRank.Test(pairs.Select(p => p.Summary!.Mean).ToList(), pairs.Select(p => p.Theirs!.Mean).ToList());
            }
            return new MatrixRow(row.Item, cells, mean, overCategories, mean.SeedTest);
        }).ToList();
        return new MetricMatrix(metric, categories, rows, baseline);
    }

    /// <summary>Whether row <paramref name="row"/> has the highest mean in column <paramref name="column"/> (the
    /// categories, then the mean column at index <c>Categories.Count</c>); ties are all best.</summary>
    public bool IsBest(int row, int column)
    {
        double? Mean(MatrixRow r) => (column == Categories.Count ? r.Mean : r.Cells[column]).Summary?.Mean;
        var best = Rows.Select(Mean).Max();
        return Mean(Rows[row]) is double mine && best is double top && top - mine <= 1e-12;
    }

    private static List<SeedValue> CellValues(CompareItem item, string category, Metric metric) =>
        item.Runs.SelectMany(run => run.Results.Where(r => !r.IsMean && r.Category == category && r.Of(metric) is not null)
            .Select(r => new SeedValue(run.Request.Seed, run.Id, r.Of(metric)!.Value))).ToList();

    /// <summary>Per seed, the mean over the categories its runs cover: a unified run's own mean, or the mean of one
    /// seed's per-category models.</summary>
    private static List<SeedValue> SeedMeans(CompareItem item, IReadOnlyList<string> categories, Metric metric) =>
        item.Runs.GroupBy(r => r.Request.Seed).Select(seed =>
        {
            var values = seed.SelectMany(run => run.Results.Where(r => !r.IsMean && categories.Contains(r.Category) && r.Of(metric) is not null))
                .Select(r => r.Of(metric)!.Value).ToList();
            return values.Count == 0 ? null : new SeedValue(seed.Key, seed.First().Id, values.Average());
        }).OfType<SeedValue>().OrderBy(v => v.Seed).ToList();

    private static WilcoxonResult? PairedBySeed(IReadOnlyList<SeedValue> mine, IReadOnlyList<SeedValue> theirs)
    {
        // One value per seed on each side (a seed with several runs in a cell is averaged), paired by seed.
        var a = mine.GroupBy(v => v.Seed).ToDictionary(g => g.Key, g => g.Average(v => v.Value));
        var b = theirs.GroupBy(v => v.Seed).ToDictionary(g => g.Key, g => g.Average(v => v.Value));
        var seeds = a.Keys.Intersect(b.Keys).Order().ToList();
        return seeds.Count < MinSeedsForTest ? null : WilcoxonSignedRank.Test(seeds.Select(s => a[s]).ToList(), seeds.Select(s => b[s]).ToList());
    }
}
