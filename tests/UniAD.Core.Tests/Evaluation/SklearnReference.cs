using System.Runtime.InteropServices;
using System.Text.Json;

namespace UniAD.Core.Tests.Evaluation;

/// <summary>Writes every <see cref="ReferenceCases"/> input to a temp folder and runs
/// <c>reference_metrics.py</c> on it once, with Debian's python (the one that has python3-sklearn).
/// Fails loudly rather than skipping, so a machine without the reference cannot pass silently.</summary>
public sealed class SklearnReference : IDisposable
{
    private const string InstallHint = "Install the reference with: apt-get install python3-sklearn python3-scipy";
    private readonly string _folder = TestScratch.NewFolder("uniad-metrics");
    private readonly Dictionary<string, JsonElement> _results;

    public SklearnReference()
    {
        foreach (var (name, ranking) in ReferenceCases.Rankings)
        {
            WriteFloats($"{name}.scores.f32", ranking.Scores);
            WriteBools($"{name}.labels.u8", ranking.Labels);
        }
        foreach (var (name, maps) in ReferenceCases.MapSets)
        {
            WriteFloats($"{name}.maps.f32", maps.Scores.SelectMany(m => m).ToArray());
            WriteBools($"{name}.masks.u8", maps.Masks.SelectMany(m => m).ToArray());
            File.WriteAllText(Path.Combine(_folder, $"{name}.aupro.json"), JsonSerializer.Serialize(new
            {
                images = maps.Scores.Length, height = maps.Height, width = maps.Width, max_fpr = maps.MaxFpr,
            }));
        }
        _results = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(RunScript())!;
    }

    public double Value(string caseName, string metric) => _results[caseName].GetProperty(metric).GetDouble();

    public double[] Values(string caseName, string metric) =>
        _results[caseName].GetProperty(metric).EnumerateArray().Select(v => v.GetDouble()).ToArray();

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string RunScript() =>
        DebianPython.Run(Path.Combine(AppContext.BaseDirectory, "Evaluation", "reference_metrics.py"), [_folder], InstallHint);

    private void WriteFloats(string file, float[] values) =>
        File.WriteAllBytes(Path.Combine(_folder, file), MemoryMarshal.AsBytes(values.AsSpan()).ToArray());

    private void WriteBools(string file, bool[] values) =>
        File.WriteAllBytes(Path.Combine(_folder, file), values.Select(v => (byte)(v ? 1 : 0)).ToArray());
}
