using System.Diagnostics;
using System.Text.Json;

namespace UniAD.Core.Tests.Statistics;

/// <summary>Runs <c>reference_statistics.py</c> once on every <see cref="StatisticsCases"/> input, with Debian's python
/// (the one that has python3-scipy). Fails loudly rather than skipping, so a machine without the reference cannot pass
/// silently.</summary>
public sealed class ScipyStatistics
{
    private const string Python = "/usr/bin/python3";
    private readonly Dictionary<string, JsonElement> _results;

    public ScipyStatistics()
    {
        var script = Path.Combine(AppContext.BaseDirectory, "Statistics", "reference_statistics.py");
        var start = new ProcessStartInfo(Python, [script]) { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"cannot start {Python}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        process.StandardInput.Write(JsonSerializer.Serialize(StatisticsCases.Pairs.ToDictionary(c => c.Key, c => new { x = c.Value.X, y = c.Value.Y })));
        process.StandardInput.Close();
        process.WaitForExit();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{script} failed (exit {process.ExitCode}); apt-get install python3-scipy\n{stderr.Result}");
        _results = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(stdout.Result)!;
    }

    public JsonElement this[string caseName] => _results[caseName];
}
