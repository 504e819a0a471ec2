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
        int lineNumber = 0;
        foreach (var line in File.ReadLines(path))
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line)) continue;
            JsonObject entry;
            try { entry = JsonNode.Parse(line)?.AsObject() ?? throw new JsonException("not an object"); }
            catch (Exception e) when (e is JsonException or InvalidOperationException)
            { throw new DatasetException($"{path}:{lineNumber}: not a JSON object ({e.Message})"); }

            string filename = (string?)entry["filename"] ?? throw new DatasetException($"{path}:{lineNumber}: missing \"filename\"");
            int label = (int?)entry["label"] ?? throw new DatasetException($"{path}:{lineNumber}: missing \"label\"");
            // Official fallback: the category is the fourth path segment from the end (CATEGORY/test/DEFECT/FILE).
            var parts = filename.Split('/');
            string category = (string?)entry["clsname"] ?? (parts.Length >= 4 ? parts[^4] : "default");
            string defect = label == 0 ? "good" : parts.Length >= 2 ? parts[^2] : "defective";
            string? mask = (string?)entry["maskname"];
            var imagePath = Path.Combine(root, filename);
            if (!File.Exists(imagePath)) throw new DatasetException($"{path}:{lineNumber}: image not found: {imagePath}");
            yield return new AnomalySample(filename, imagePath, category, split, label != 0, defect,
                mask is null ? null : Path.Combine(root, mask));
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
