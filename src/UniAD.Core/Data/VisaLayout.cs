namespace UniAD.Core.Data;

/// <summary>Reads VisA (Zou et al., ECCV 2022) as it is distributed: <c>CATEGORY/Data/Images/{Normal,Anomaly}/*</c>,
/// <c>CATEGORY/Data/Masks/Anomaly/*</c>, and the split file <c>split_csv/1cls.csv</c> (columns object, split, label,
/// image, mask; paths relative to the dataset root) that says which image is in which split: the one-class protocol
/// that multi-class papers report. VisA's masks mark defect pixels with small values, not 255; the evaluator reads any
/// nonzero pixel as defect (<see cref="ImageLoader.LoadMask"/>), as VisA's own preparation script binarizes them.</summary>
public static class VisaLayout
{
    public const string SplitFile = "split_csv/1cls.csv";
    public const string NormalLabel = "normal", AnomalyLabel = "anomaly";

    /// <summary>The defect type of every anomalous image: the split file names none (each category's
    /// <c>image_anno.csv</c> describes defects in free text, which the lab does not read).</summary>
    public const string DefectType = AnomalyLabel;

    private static readonly string[] Columns = ["object", "split", "label", "image", "mask"];

    public static bool Looks(string root) => File.Exists(Path.Combine(root, SplitFile));

    /// <summary>Every image the split file lists. Each row's problem is a <see cref="DatasetException"/> naming its line.</summary>
    public static AnomalyDataset Read(string root)
    {
        root = Path.GetFullPath(root);
        var splitFile = Path.Combine(root, SplitFile);
        if (!File.Exists(splitFile)) throw new DatasetException($"{SplitFile} not found: a VisA dataset lists its splits there");
        using var lines = File.ReadLines(splitFile).GetEnumerator();
        if (!lines.MoveNext()) throw new DatasetException($"{SplitFile} is empty: expected the header {string.Join(",", Columns)}");
        var header = Fields(lines.Current.TrimStart('\uFEFF')).Select(h => h.ToLowerInvariant()).ToList();
        var index = Columns.ToDictionary(c => c, c => header.IndexOf(c));
        if (index.Where(c => c.Value < 0).Select(c => c.Key).ToList() is { Count: > 0 } missing)
            throw new DatasetException($"{SplitFile}: line 1: the header lacks {string.Join(", ", missing)}; expected {string.Join(",", Columns)}");

        var samples = new List<AnomalySample>();
        var lineOf = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int lineNumber = 2; lines.MoveNext(); lineNumber++)
        {
            if (string.IsNullOrWhiteSpace(lines.Current)) continue;
            DatasetException Problem(string what) => new($"{SplitFile}: line {lineNumber}: {what}");
            var fields = Fields(lines.Current);
            if (fields.Count != header.Count) throw Problem($"{fields.Count} fields where the header has {header.Count}");
            string Field(string column) => fields[index[column]];

            string category = Field("object");
            if (category.Length == 0) throw Problem("the object (category) is empty");
            var split = Field("split").ToLowerInvariant() switch
            {
                "train" => Split.Train,
                "test" => Split.Test,
                var other => throw Problem($"split '{other}' is neither train nor test"),
            };
            bool anomalous = Field("label").ToLowerInvariant() switch
            {
                NormalLabel => false,
                AnomalyLabel => true,
                var other => throw Problem($"label '{other}' is neither {NormalLabel} nor {AnomalyLabel}"),
            };
            if (anomalous && split == Split.Train) throw Problem("an anomalous image in the training split: the one-class protocol trains on normal images only");
            string image = Field("image").Replace('\\', '/'), mask = Field("mask").Replace('\\', '/');
            if (image.Length == 0) throw Problem("the image path is empty");
            if (!anomalous && mask.Length > 0) throw Problem($"a normal image with a mask ({mask})");
            if (lineOf.TryGetValue(image, out int first)) throw Problem($"{image} is listed again (first on line {first})");
            lineOf[image] = lineNumber;

            string Inside(string relative) => MetadataPaths.Inside(root, relative) ?? throw Problem($"{relative} is outside the dataset");
            var imagePath = Inside(image);
            if (!File.Exists(imagePath)) throw Problem($"image not found: {image}");
            samples.Add(new AnomalySample(image, imagePath, category, split, anomalous, anomalous ? DefectType : MvtecLayout.Good,
                mask.Length > 0 ? Inside(mask) : null));
        }
        if (samples.Count == 0) throw new DatasetException($"{SplitFile} lists no images");
        return new AnomalyDataset(root, samples);
    }

    /// <summary>One CSV line's fields, trimmed; a field in double quotes may hold commas, and "" inside it is one quote.</summary>
    private static List<string> Fields(string line)
    {
        var fields = new List<string>();
        var field = new System.Text.StringBuilder();
        bool quoted = false;
        for (int i = 0; i < line.Length; i++)
        {
            char c = line[i];
            if (quoted && c == '"' && i + 1 < line.Length && line[i + 1] == '"') { field.Append('"'); i++; }
            else if (c == '"') quoted = !quoted;
            else if (c == ',' && !quoted) { fields.Add(field.ToString().Trim()); field.Clear(); }
            else field.Append(c);
        }
        fields.Add(field.ToString().Trim());
        return fields;
    }
}
