using UniAD.Lab.Compare;

namespace UniAD.Lab.Web.Api.Contracts;

/// <summary>A cell of a metric matrix: mean, sample std and count over seeds, each seed's value, the delta to the
/// baseline and the p-value of the paired test over seeds (when there are enough).</summary>
public sealed record MatrixCellResponse(double? Mean, double? Std, int N, double? Delta, double? PSeeds, IReadOnlyList<SeedValue> Values)
{
    public static MatrixCellResponse Of(MatrixCell c) => new(c.Summary?.Mean, c.Summary?.Std, c.Summary?.Count ?? 0, c.Delta, c.SeedTest?.PValue, c.Values);
}

/// <summary>An item's row: its runs, a cell per category, the mean, and the paired tests against the baseline.</summary>
public sealed record MatrixRowResponse(string Label, IReadOnlyList<int> Runs, IReadOnlyDictionary<string, MatrixCellResponse> Categories,
    MatrixCellResponse Mean, double? PCategories, double? PSeeds);

/// <summary>One metric's items × categories matrix, fractions in [0, 1].</summary>
public sealed record MatrixResponse(string Metric, IReadOnlyList<string> Categories, string? Baseline, IReadOnlyList<MatrixRowResponse> Rows)
{
    public static MatrixResponse Of(MetricMatrix m) => new(m.Metric.Key(), m.Categories, m.Baseline is int b ? m.Rows[b].Item.Label : null,
        [.. m.Rows.Select(r => new MatrixRowResponse(r.Item.Label, [.. r.Item.Runs.Select(x => x.Id)],
            m.Categories.Select((c, i) => (c, i)).ToDictionary(x => x.c, x => MatrixCellResponse.Of(r.Cells[x.i])), MatrixCellResponse.Of(r.Mean),
            r.CategoryTest?.PValue, r.SeedTest?.PValue))]);
}

/// <summary>An item of a comparison: its runs, what its numbers rest on, and what it cost (means over its finished runs).</summary>
public sealed record ComparedItemResponse(string Label, string Kind, IReadOnlyList<int> Runs, IReadOnlyList<string> DatasetVersions,
    IReadOnlyList<string> ImageScores, double? WallSeconds, double? ImagesPerSecond, long? PeakMemoryBytes, long? PeakGpuMemoryBytes);

/// <summary>Runs or groups side by side: the items, every warning about what makes them less comparable, the config keys
/// that differ, and every metric's matrix.</summary>
public sealed record CompareResponse(IReadOnlyList<ComparedItemResponse> Items, IReadOnlyList<string> Warnings, IReadOnlyList<ConfigRow> ConfigDiff,
    IReadOnlyDictionary<string, MatrixResponse> Metrics)
{
    public static CompareResponse Of(Comparison comparison, int? baseline) => new(
        [.. comparison.Items.Select(i => new ComparedItemResponse(i.Label, i.KindLabel, [.. i.Runs.Select(r => r.Id)], i.DatasetVersions, i.ImageScores,
            i.WallSeconds?.Mean, i.ImagesPerSecond?.Mean, i.PeakMemoryBytes, i.PeakGpuMemoryBytes))],
        comparison.Warnings, comparison.ConfigDiff,
        Enum.GetValues<Metric>().ToDictionary(m => m.Key(), m => MatrixResponse.Of(comparison.Matrix(m, baseline))));
}
