using System.Text.Json;
using System.Text.Json.Nodes;

namespace UniAD.Core.Configuration;

/// <summary>Applies <c>section.key=value</c> overrides (snake_case, as in config.json) to a config, e.g.
/// <c>training.epochs=5</c>, <c>model.neighbor_mask.size=[5,5]</c>, <c>model.queries=none</c>.
/// Values are JSON where they parse as JSON, strings otherwise.</summary>
public static class ConfigOverrides
{
    public static UniadConfig Apply(UniadConfig config, IEnumerable<string> assignments)
    {
        var root = JsonNode.Parse(config.ToJson())!.AsObject();
        foreach (var assignment in assignments)
        {
            int eq = assignment.IndexOf('=');
            if (eq <= 0) throw new ConfigException($"override '{assignment}' is not of the form key=value");
            var path = assignment[..eq].Trim().Split('.');
            var node = root;
            foreach (var part in path[..^1])
                node = node[part] as JsonObject ?? throw new ConfigException($"override '{assignment}': no config section '{part}'");
            if (!node.ContainsKey(path[^1]))
                throw new ConfigException($"override '{assignment}': unknown key '{path[^1]}' (known: {string.Join(", ", node.Select(p => p.Key))})");
            node[path[^1]] = ParseValue(assignment[(eq + 1)..].Trim());
        }
        try { return UniadConfig.FromJson(root.ToJsonString()); }
        catch (JsonException e) { throw new ConfigException($"invalid override value: {e.Message}"); }
    }

    private static JsonNode? ParseValue(string text)
    {
        try { return JsonNode.Parse(text); }
        catch (JsonException) { return JsonValue.Create(text); }
    }
}
