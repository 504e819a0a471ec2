using System.Runtime.InteropServices;
using System.Text.Json;

namespace UniAD.Core.Tests.PatchCore;

/// <summary>The inputs of the PatchCore tests, made from fixed seeds, and what <c>reference_patchcore.py</c> computes
/// from them (numpy, scipy and PyTorch, each in its plainest form), run once for the test class.</summary>
public sealed class PatchCoreReference : IDisposable
{
    /// <summary>A raw float32 array and its shape.</summary>
    public sealed record Array(float[] Values, long[] Shape);

    public static readonly IReadOnlyDictionary<string, Array> Inputs = new Dictionary<string, Array>
    {
        ["spread points"] = Random(1, 600, 16),
        ["clustered points"] = Clustered(2, clusters: 12, perCluster: 250, dimension: 8),
        ["queries"] = Random(3, 50, 20),
        ["bank"] = Random(4, 300, 20),
        ["test patches"] = Random(5, 4, 30, 10),
        ["small bank"] = Random(6, 200, 10),
        ["maps"] = Random(7, 2, 1, 40, 37),
        ["tiny map"] = Random(8, 1, 1, 5, 6),
        ["fine tap"] = Random(9, 2, 8, 8, 8),
        ["coarse tap"] = Random(10, 2, 12, 4, 4),
    };

    public static readonly int[] Starts = [5, 17, 300];

    private static readonly object Cases = new Dictionary<string, object>
    {
        ["coreset spread"] = new { kind = "coreset", points = Entry("spread points"), starts = Starts, picks = 60 },
        ["coreset clustered"] = new { kind = "coreset", points = Entry("clustered points"), starts = Starts, picks = 300 },
        ["neighbours 1"] = new { kind = "neighbours", queries = Entry("queries"), bank = Entry("bank"), k = 1 },
        ["neighbours 4"] = new { kind = "neighbours", queries = Entry("queries"), bank = Entry("bank"), k = 4 },
        ["reweighted"] = new { kind = "reweighted", features = Entry("test patches"), bank = Entry("small bank"), k = 9 },
        ["gaussian 4"] = new { kind = "gaussian", maps = Entry("maps"), sigma = 4.0 },
        ["gaussian wider than the map"] = new { kind = "gaussian", maps = Entry("tiny map"), sigma = 2.0 },
        ["embedding"] = new { kind = "embedding", taps = new[] { Entry("fine tap"), Entry("coarse tap") }, patch_size = 3, layer_dimension = 40, dimension = 32 },
    };

    private readonly string _folder = TestScratch.NewFolder("uniad-patchcore");
    private readonly Dictionary<string, JsonElement> _results;

    public PatchCoreReference()
    {
        foreach (var (name, array) in Inputs)
            File.WriteAllBytes(Path.Combine(_folder, FileOf(name)), MemoryMarshal.AsBytes(array.Values.AsSpan()).ToArray());
        File.WriteAllText(Path.Combine(_folder, "cases.json"), JsonSerializer.Serialize(Cases));
        var script = Path.Combine(AppContext.BaseDirectory, "PatchCore", "reference_patchcore.py");
        _results = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(
            DebianPython.Run(script, [_folder], "apt-get install python3-numpy python3-scipy python3-torch"))!;
    }

    public double[] Values(string caseName, string? property = null) => Element(caseName, property).EnumerateArray().Select(v => v.GetDouble()).ToArray();

    public long[] Indices(string caseName, string? property = null) => Element(caseName, property).EnumerateArray().Select(v => v.GetInt64()).ToArray();

    private JsonElement Element(string caseName, string? property) => property is null ? _results[caseName] : _results[caseName].GetProperty(property);

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static object Entry(string name) => new { file = FileOf(name), shape = Inputs[name].Shape };

    private static string FileOf(string name) => name.Replace(' ', '_') + ".f32";

    private static Array Random(int seed, params long[] shape)
    {
        var random = new Random(seed);
        return new Array([.. Enumerable.Range(0, (int)shape.Aggregate(1L, (a, b) => a * b)).Select(_ => (float)(random.NextDouble() * 2 - 1))], shape);
    }

    /// <summary>Points around a few centres: the case where the coreset's pruning skips most distances.</summary>
    private static Array Clustered(int seed, int clusters, int perCluster, int dimension)
    {
        var random = new Random(seed);
        var centres = Enumerable.Range(0, clusters).Select(_ => Enumerable.Range(0, dimension).Select(_ => random.NextDouble() * 20).ToArray()).ToArray();
        var values = Enumerable.Range(0, clusters * perCluster)
            .SelectMany(i => centres[i % clusters].Select(c => (float)(c + random.NextDouble() - 0.5))).ToArray();
        return new Array(values, [clusters * perCluster, dimension]);
    }
}
