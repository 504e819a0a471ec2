namespace UniAD.Core.Data;

public enum Split { Train, Test }

/// <summary>One image of an anomaly-detection dataset. <see cref="Key"/> is its path relative to the
/// dataset root with '/' separators: stable across machines, used to name anomaly maps and results.</summary>
public sealed record AnomalySample(
    string Key,
    string ImagePath,
    string Category,
    Split Split,
    bool IsAnomalous,
    string DefectType,
    string? MaskPath);

/// <summary>A dataset as the engine sees it: samples from every category. Class labels are never fed to
/// the model; they only group the metrics.</summary>
public sealed record AnomalyDataset(string Root, IReadOnlyList<AnomalySample> Samples)
{
    /// <summary>Content hash of the stored dataset version these samples come from; null for a plain folder.</summary>
    public string? Version { get; init; }

    public IReadOnlyList<string> Categories =>
        Samples.Select(s => s.Category).Distinct().Order(StringComparer.Ordinal).ToList();

    public IReadOnlyList<AnomalySample> Train => Samples.Where(s => s.Split == Split.Train).ToList();
    public IReadOnlyList<AnomalySample> Test => Samples.Where(s => s.Split == Split.Test).ToList();

    /// <summary>The subset with only the given categories (all when null or empty).</summary>
    public AnomalyDataset WithCategories(IReadOnlyCollection<string>? categories)
    {
        if (categories is null || categories.Count == 0) return this;
        var unknown = categories.Except(Categories).ToList();
        if (unknown.Count > 0)
            throw new DatasetException($"unknown categor{(unknown.Count == 1 ? "y" : "ies")} {string.Join(", ", unknown)}; " +
                                       $"the dataset has {string.Join(", ", Categories)}");
        return this with { Samples = Samples.Where(s => categories.Contains(s.Category)).ToList() };
    }
}

/// <summary>A dataset that cannot be used as given; the message names the problem and the file.</summary>
public sealed class DatasetException(string message) : UserException(message);
