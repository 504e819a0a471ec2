using System.Text.Json;

namespace UniAD.Core.Tests.Statistics;

/// <summary>Runs <c>reference_statistics.py</c> once on every <see cref="StatisticsCases"/> input, with Debian's python
/// (the one that has python3-scipy). Fails loudly rather than skipping, so a machine without the reference cannot pass
/// silently.</summary>
public sealed class ScipyStatistics
{
    private readonly Dictionary<string, JsonElement> _results;

    public ScipyStatistics()
    {
        var script = Path.Combine(AppContext.BaseDirectory, "Statistics", "reference_statistics.py");
        var input = JsonSerializer.Serialize(StatisticsCases.Pairs.ToDictionary(c => c.Key, c => new { x = c.Value.X, y = c.Value.Y }));
        _results = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(DebianPython.Run(script, [], "apt-get install python3-scipy", input))!;
    }

    public JsonElement this[string caseName] => _results[caseName];
}
