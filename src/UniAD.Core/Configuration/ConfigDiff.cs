using System.Text.Json.Nodes;

namespace UniAD.Core.Configuration;

/// <summary>One config key whose value differs between two configs (values as JSON; null where a side lacks it).</summary>
public sealed record ConfigDifference(string Key, string? Left, string? Right);

/// <summary>Compares configs key by key (<c>section.key</c>, as <see cref="ConfigOverrides"/> takes them): what a
/// clone needs as overrides on top of its preset, and what a compare view shows as "differences only".</summary>
public static class ConfigDiff
{
    public static IReadOnlyList<ConfigDifference> Differences(UniadConfig left, UniadConfig right)
    {
        var (a, b) = (Flatten(left), Flatten(right));
        return a.Keys.Union(b.Keys).Order(StringComparer.Ordinal)
            .Select(k => new ConfigDifference(k, a.GetValueOrDefault(k), b.GetValueOrDefault(k)))
            .Where(d => d.Left != d.Right).ToList();
    }

    /// <summary>The overrides that turn <paramref name="baseline"/> into <paramref name="target"/>.</summary>
    public static IReadOnlyList<string> Overrides(UniadConfig baseline, UniadConfig target) =>
        Differences(baseline, target).Where(d => d.Right is not null).Select(d => $"{d.Key}={d.Right}").ToList();

    /// <summary>Every key of a config with its value as JSON, e.g. <c>model.neighbor_mask.enabled</c> → <c>true</c>.</summary>
    public static Dictionary<string, string> Flatten(UniadConfig config)
    {
        var values = new Dictionary<string, string>();
        void Walk(JsonNode? node, string prefix)
        {
            if (node is JsonObject obj)
                foreach (var (key, child) in obj) Walk(child, prefix.Length == 0 ? key : $"{prefix}.{key}");
            else values[prefix] = node?.ToJsonString() ?? "null";
        }
        Walk(JsonNode.Parse(config.ToJson()), "");
        return values;
    }
}
