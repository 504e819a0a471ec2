using UniAD.Core.Configuration;
using UniAD.Core.Statistics;
using UniAD.Lab.Persistence;
using UniAD.Lab.Runs;

namespace UniAD.Lab.Compare;

/// <summary>What an item is: one unified model over several categories, models of one category each, or both mixed.</summary>
public enum ModelKind { Unified, PerCategory, Mixed }

/// <summary>An item with what the views label it by and what it cost.</summary>
public sealed record ComparedItem(CompareItem Item, ModelKind Kind, IReadOnlyList<string> DatasetVersions, IReadOnlyList<string> ImageScores,
    Summary? WallSeconds, Summary? ImagesPerSecond, long? PeakMemoryBytes, long? PeakGpuMemoryBytes)
{
    public string Label => Item.Label;
    public IReadOnlyList<RunRecord> Runs => Item.Runs;

    /// <summary>The label with the kind of model: how every table and chart names the item.</summary>
    public string Title => $"{Label} ({KindLabel})";

    public string KindLabel => Kind switch
    {
        ModelKind.Unified => "unified",
        ModelKind.PerCategory => "per-category",
        _ => "unified + per-category (mixed)",
    };
}

/// <summary>One config key (or run field) that differs between the compared runs: its value for each item, or "varies: …"
/// where the item's own runs disagree.</summary>
public sealed record ConfigRow(string Key, IReadOnlyList<string> Values);

/// <summary>Runs or groups of runs side by side: labelled items, the differences of their configs, and every warning
/// about what makes them less comparable (another dataset version, another image score, unfinished runs, different
/// categories). Matrices per metric are built on demand.</summary>
/// <param name="FirstConfig">The first item's first run's config: whose settings published numbers are compared with.</param>
public sealed record Comparison(CompareSelection Selection, IReadOnlyList<ComparedItem> Items, IReadOnlyList<ConfigRow> ConfigDiff,
    IReadOnlyList<string> Warnings, UniadConfig FirstConfig)
{
    public MetricMatrix Matrix(Metric metric, int? baseline = null) => MetricMatrix.Build([.. Items.Select(i => i.Item)], metric, baseline);

    /// <summary>Fields of a run that matter to a comparison besides its config.</summary>
    internal static IEnumerable<(string Key, string Value)> RunFields(RunRecord run) =>
    [
        ("dataset", DatasetLabel(run)),
        ("categories", run.Request.Categories.Count == 0 ? "(all)" : string.Join(",", run.Request.Categories)),
        ("normal classes", string.Join(",", run.Request.NormalClasses)),
        ("image score", run.Summary.ImageScore),
        ("device", run.Request.Device),
        ("code version", CodeVersion.Short(run.Provenance.CodeVersion)),
    ];

    internal static string DatasetLabel(RunRecord run) => run.Dataset is { } d ? $"{d.Name}@{d.ShortVersion}" : $"dataset {run.DatasetId}";

    internal static IReadOnlyList<ConfigRow> Differences(IReadOnlyList<CompareItem> items)
    {
        var perRun = items.Select(item => item.Runs.Select(run =>
            RunFields(run).Concat(Core.Configuration.ConfigDiff.Flatten(UniadConfig.FromJson(run.Request.ConfigJson)).Where(kv => kv.Key != "training.seed")
                .Select(kv => (kv.Key, kv.Value))).ToDictionary(f => f.Key, f => f.Value)).ToList()).ToList();
        var keys = perRun.SelectMany(i => i).SelectMany(r => r.Keys).Distinct().ToList();
        var rows = new List<ConfigRow>
        {
            new("seeds", [.. items.Select(i => string.Join(", ", i.Runs.Select(r => r.Request.Seed).Distinct().Order()))]),
        };
        foreach (var key in keys)
        {
            var values = perRun.Select(runs => runs.Select(r => r.GetValueOrDefault(key, "(absent)")).Distinct().ToList()).ToList();
            if (values.SelectMany(v => v).Distinct().Count() <= 1) continue;                         // the same everywhere
            rows.Add(new ConfigRow(key, [.. values.Select(v => v.Count == 1 ? v[0] : $"varies: {string.Join(", ", v)}")]));
        }
        return rows;
    }
}
