namespace UniAD.Core.Data;

/// <summary>Which classes of a folder-of-classes dataset are normal, and how much of it to use.</summary>
public sealed record ClassFolderOptions(IReadOnlyList<string> NormalClasses, int? TrainPerClass = null, int? TestPerClass = null, int Seed = 0)
{
    /// <summary>The paper's CIFAR-10 unified splits, named by their normal classes' indices.</summary>
    public static readonly IReadOnlyList<string> PaperSplits = ["01234", "56789", "02468", "13579"];

    /// <summary>Normal classes as given: names or indices, comma-separated or one per item, or one paper split
    /// (<c>01234</c> = classes 0 to 4).</summary>
    public static ClassFolderOptions Parse(IEnumerable<string> given)
    {
        var items = given.SelectMany(n => n.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToList();
        return new ClassFolderOptions(items is [var split] && PaperSplits.Contains(split) ? split.Select(c => c.ToString()).ToList() : items);
    }

    /// <summary>Normal classes as a form field or a stored run holds them (one comma-separated text), or null when blank:
    /// a dataset of another layout.</summary>
    public static ClassFolderOptions? FromText(string? text) => string.IsNullOrWhiteSpace(text) ? null : Parse([text]);

    /// <summary>The normal classes among a dataset's <paramref name="classes"/> (alphabetical: the indices the paper's splits
    /// use), each given by name or index.</summary>
    /// <exception cref="DatasetException">A class the dataset lacks, or none or all of them chosen.</exception>
    public IReadOnlySet<string> NormalAmong(IReadOnlyList<string> classes)
    {
        var normal = NormalClasses.Select(c => Resolve(c, classes)).ToHashSet();
        if (normal.Count == 0 || normal.Count == classes.Count)
            throw new DatasetException($"choose some but not all of the classes {string.Join(", ", classes)} as normal");
        return normal;
    }

    /// <summary>A class given by name or by its alphabetical index.</summary>
    private static string Resolve(string given, IReadOnlyList<string> classes) =>
        classes.Contains(given) ? given
        : int.TryParse(given, out int i) && i >= 0 && i < classes.Count ? classes[i]
        : throw new DatasetException($"unknown class '{given}': the dataset has {string.Join(", ", classes.Select((c, k) => $"{k}={c}"))}");
}

/// <summary>A folder of classes (<c>train/&lt;class&gt;/*</c>, <c>test/&lt;class&gt;/*</c>, as CIFAR-10) turned into the
/// paper's one-class-vs-rest protocol: training uses the normal classes only; every test image of another
/// class is anomalous, at image level only. All images form one category, named after the normal classes.</summary>
public static class ClassFolderLayout
{
    public static bool Looks(string root) =>
        Directory.Exists(Path.Combine(root, "train")) && Directory.Exists(Path.Combine(root, "test"))
        && !MvtecLayout.Looks(root);

    /// <summary>Class names in alphabetical order: the indices the paper's splits use (CIFAR-10: 0 = airplane … 9 = truck).</summary>
    public static IReadOnlyList<string> Classes(string root) =>
        Directory.EnumerateDirectories(Path.Combine(root, "train")).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList()!;

    public static AnomalyDataset Read(string root, ClassFolderOptions options)
    {
        root = Path.GetFullPath(root);
        var classes = Classes(root);
        var normal = options.NormalAmong(classes);
        string category = "normal=" + string.Join("+", classes.Where(normal.Contains));
        var samples = new List<AnomalySample>();
        foreach (var cls in classes)
        {
            if (normal.Contains(cls))
                samples.AddRange(Take(root, Split.Train, cls, options.TrainPerClass, options.Seed)
                    .Select(path => Sample(root, path, category, Split.Train, cls, anomalous: false)));
            samples.AddRange(Take(root, Split.Test, cls, options.TestPerClass, options.Seed)
                .Select(path => Sample(root, path, category, Split.Test, cls, anomalous: !normal.Contains(cls))));
        }
        return new AnomalyDataset(root, samples);
    }

    /// <summary>Every image, each class its own category, none labelled anomalous: the dataset's structure before
    /// normal classes are chosen (what an import validates).</summary>
    public static AnomalyDataset ReadUnlabelled(string root)
    {
        root = Path.GetFullPath(root);
        var samples = from cls in Classes(root)
                      from split in new[] { Split.Train, Split.Test }
                      from path in Take(root, split, cls, null, 0)
                      select Sample(root, path, cls, split, cls, anomalous: false);
        return new AnomalyDataset(root, samples.ToList());
    }

    /// <summary>All images of a class, or a fixed-seed random subset of them.</summary>
    private static IEnumerable<string> Take(string root, Split split, string cls, int? count, int seed)
    {
        var folder = Path.Combine(root, split == Split.Train ? "train" : "test", cls);
        var files = ImageDecoder.ImagesIn(folder).ToArray();
        if (count is not int n || n >= files.Length) return files;
        new Random(seed).Shuffle(files);
        return files.Take(n).Order(StringComparer.Ordinal);
    }

    private static AnomalySample Sample(string root, string path, string category, Split split, string cls, bool anomalous) =>
        new(Path.GetRelativePath(root, path).Replace('\\', '/'), path, category, split, anomalous, anomalous ? cls : "good", null);
}
