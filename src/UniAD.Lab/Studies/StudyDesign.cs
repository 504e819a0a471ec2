using System.Globalization;
using UniAD.Core;
using UniAD.Core.Configuration;

namespace UniAD.Lab.Studies;

/// <summary>The designs a study starts from: the paper's ablations, and grids over config keys.</summary>
public static class StudyDesign
{
    /// <summary>The jitter scales the paper's jitter ablation varies around its default of 20 (the values are this lab's choice).</summary>
    public static readonly IReadOnlyList<double> JitterScales = [5, 10, 40];

    /// <summary>Full UniAD, each of its parts removed or moved, and the vanilla transformer: the paper's ablations as one
    /// study. "full" is the baseline.</summary>
    public static IReadOnlyList<StudyVariant> PaperAblations() =>
    [
        .. Presets.Ablations.Where(a => a.Key != "vanilla").Select(a => new StudyVariant(a.Key, a.Value)),
        .. JitterScales.Select(s => new StudyVariant($"jitter-scale-{s.ToString(CultureInfo.InvariantCulture)}",
            [$"model.feature_jitter.scale={s.ToString(CultureInfo.InvariantCulture)}"])),
        new StudyVariant("vanilla", Presets.Ablations["vanilla"]),
    ];

    /// <summary>Every combination of the axes' values, each a variant named after its values (e.g.
    /// <c>model.feature_jitter.scale=10, model.neighbor_mask.size=[5,5]</c>).</summary>
    public static IReadOnlyList<StudyVariant> Grid(IReadOnlyList<SweepAxis> axes)
    {
        if (axes.Count == 0) throw new UserException("a sweep needs at least one config key with values");
        foreach (var axis in axes.Where(a => a.Values.Count == 0)) throw new UserException($"sweep key '{axis.Key}' has no values");
        if (axes.Select(a => a.Key).Distinct().Count() < axes.Count) throw new UserException("a sweep key appears twice");
        IEnumerable<IReadOnlyList<string>> combinations = [[]];
        foreach (var axis in axes)
            combinations = combinations.SelectMany(c => axis.Values.Select(v => (IReadOnlyList<string>)[.. c, $"{axis.Key}={v}"]));
        return combinations.Select(c => new StudyVariant(string.Join(", ", c), c)).ToList();
    }

    /// <summary>"5, 10, 20" or "[3,3]; [5,5]" (a semicolon separates values that contain commas).</summary>
    public static IReadOnlyList<string> ParseValues(string text) =>
        text.Split(text.Contains(';') ? ';' : ',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
