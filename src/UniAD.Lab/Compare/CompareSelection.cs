using System.Globalization;
using UniAD.Core;

namespace UniAD.Lab.Compare;

/// <summary>Runs picked for comparison, each its own item, or groups of runs, each compared as one; optionally named.</summary>
public sealed record SelectedItem(string? Label, IReadOnlyList<int> RunIds);

/// <summary>What a compare view shows, as its URL holds it so a link opens the same view: <c>runs=3,7,12</c> (each run
/// an item) or <c>groups=full:3,4,5;vanilla:7,8,9</c> (each group an item; the name before ':' is optional).</summary>
public sealed record CompareSelection(IReadOnlyList<SelectedItem> Items)
{
    public const int MinItems = 2, MaxItems = 20, MaxRuns = 500;

    public static CompareSelection Parse(string? runs, string? groups)
    {
        if (string.IsNullOrWhiteSpace(runs) == string.IsNullOrWhiteSpace(groups))
            throw new UserException("give either runs=3,7,12 or groups=name:3,4;7,8");
        var items = !string.IsNullOrWhiteSpace(runs)
            ? Ids(runs, "runs").Select(id => new SelectedItem(null, [id])).ToList()
            : groups!.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(ParseGroup).ToList();
        if (items.Count is < MinItems or > MaxItems)
            throw new UserException($"compare {MinItems} to {MaxItems} runs or groups; {items.Count} given");
        var all = items.SelectMany(i => i.RunIds).ToList();
        if (all.Count > MaxRuns) throw new UserException($"{all.Count} runs in all; a comparison takes at most {MaxRuns}");
        if (all.Distinct().Count() < all.Count) throw new UserException($"run {all.GroupBy(i => i).First(g => g.Count() > 1).Key} is selected twice");
        return new CompareSelection(items);
    }

    /// <summary>The URL query that selects the same items.</summary>
    public string ToQuery() => Items.All(i => i.Label is null && i.RunIds.Count == 1)
        ? $"runs={string.Join(',', Items.Select(i => i.RunIds[0]))}"
        : "groups=" + Uri.EscapeDataString(string.Join(';', Items.Select(i => (i.Label is null ? "" : $"{i.Label}:") + string.Join(',', i.RunIds))));

    public static CompareSelection OfGroups(IEnumerable<(string Label, IReadOnlyList<int> RunIds)> groups) =>
        new([.. groups.Select(g => new SelectedItem(g.Label.Replace(';', ',').Replace(':', '='), g.RunIds))]);

    private static SelectedItem ParseGroup(string group)
    {
        int colon = group.LastIndexOf(':');
        string? label = colon > 0 ? group[..colon].Trim() : null;
        var ids = Ids(colon >= 0 ? group[(colon + 1)..] : group, $"group '{group}'");
        return ids.Count == 0 ? throw new UserException($"group '{group}' has no runs") : new SelectedItem(label, ids);
    }

    private static List<int> Ids(string text, string what) =>
        text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(s =>
            int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out int id) && id > 0 ? id
            : throw new UserException($"{what}: '{s}' is not a run id")).ToList();
}
