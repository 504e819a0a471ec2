using System.Text.Json;
using System.Text.Json.Nodes;

namespace UniAD.Core.Data;

/// <summary>The official UniAD metadata format: JSON Lines with <c>filename</c>, <c>label</c> (0 good, 1 defective),
/// <c>label_name</c>, <c>clsname</c> and, on defective test images, <c>maskname</c>; paths relative to the image root.</summary>
public static class UniadJsonl
{
    public static AnomalyDataset Read(string trainJsonl, string testJsonl, string imageRoot)
    {
        imageRoot = Path.GetFullPath(imageRoot);
        var samples = ReadFile(trainJsonl, imageRoot, Split.Train).Concat(ReadFile(testJsonl, imageRoot, Split.Test)).ToList();
        return new AnomalyDataset(imageRoot, samples);
    }

    private static IEnumerable<AnomalySample> ReadFile(string path, string root, Split split)
    {
        if (!File.Exists(path)) throw new DatasetException($"metadata file not found: {path}");
        string name = Path.GetFileName(path);
        int lineNumber = 0;
        foreach (var line in File.ReadLines(path))
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line)) continue;
            DatasetException Problem(string what) => new($"{name}: line {lineNumber}: {what}");
            JsonObject entry;
            try { entry = JsonNode.Parse(line)?.AsObject() ?? throw new JsonException("not an object"); }
            catch (Exception e) when (e is JsonException or InvalidOperationException) { throw Problem($"not a JSON object ({e.Message})"); }

            // A string field, or null when absent; a value of another type is the problem.
            string? Text(string key) => entry[key] switch
            {
                null => null,
                JsonValue v when v.TryGetValue(out string? text) => text,
                _ => throw Problem($"\"{key}\" must be a string"),
            };
            string filename = Text("filename") ?? throw Problem("missing \"filename\"");
            int label = entry["label"] is JsonValue value && value.TryGetValue(out int number) && number is 0 or 1 ? number
                : throw Problem(entry["label"] is null ? "missing \"label\"" : "\"label\" must be 0 (normal) or 1 (anomalous)");
            // Official fallback: the category is the fourth path segment from the end (CATEGORY/test/DEFECT/FILE).
            var parts = filename.Split('/');
            string category = Text("clsname") ?? (parts.Length >= 4 ? parts[^4] : "default");
            string defect = label == 0 ? "good" : parts.Length >= 2 ? parts[^2] : "defective";
            string? mask = Text("maskname");
            // Metadata names files inside the image root only: never a path that reads elsewhere on the machine.
            string Inside(string relative) => MetadataPaths.Inside(root, relative) ?? throw Problem($"{relative} is outside the dataset");
            var imagePath = Inside(filename);
            var maskPath = mask is null ? null : Inside(mask);
            if (!File.Exists(imagePath)) throw Problem($"image not found: {filename}");
            yield return new AnomalySample(filename, imagePath, category, split, label != 0, defect, maskPath);
        }
    }

    /// <summary>Writes <c>train.jsonl</c> / <c>test.jsonl</c> lines for the given samples (keys relative to the dataset root).</summary>
    public static void Write(string path, IEnumerable<AnomalySample> samples, string root)
    {
        using var writer = new StreamWriter(path);
        foreach (var s in samples)
        {
            var entry = new JsonObject
            {
                ["filename"] = s.Key,
                ["label"] = s.IsAnomalous ? 1 : 0,
                ["label_name"] = s.IsAnomalous ? "defective" : "good",
            };
            if (s.MaskPath is not null) entry["maskname"] = Path.GetRelativePath(root, s.MaskPath).Replace('\\', '/');
            entry["clsname"] = s.Category;
            writer.WriteLine(entry.ToJsonString());
        }
    }
}
