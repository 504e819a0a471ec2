using UniAD.Core.Data;

namespace UniAD.Datasets;

/// <summary>The folder layouts the lab imports.</summary>
public enum DatasetLayout
{
    /// <summary><c>CATEGORY/train/good</c>, <c>CATEGORY/test/&lt;defect&gt;</c>, <c>CATEGORY/ground_truth/&lt;defect&gt;</c>.</summary>
    Mvtec,
    /// <summary>Images anywhere, described by <c>train.jsonl</c> and <c>test.jsonl</c> at the root (spec section 1.1).</summary>
    UniadJsonl,
    /// <summary><c>train/&lt;class&gt;</c> and <c>test/&lt;class&gt;</c>, some classes chosen as normal (CIFAR-10).</summary>
    ClassFolder,
    /// <summary>VisA as distributed: <c>CATEGORY/Data/Images/{Normal,Anomaly}</c>, <c>CATEGORY/Data/Masks/Anomaly</c> and
    /// the split file <c>split_csv/1cls.csv</c>.</summary>
    Visa,
}

public static class DatasetLayouts
{
    public const string TrainMetadata = "train.jsonl", TestMetadata = "test.jsonl";

    /// <summary>The folder that holds the data: a zip or folder that wraps everything in one top-level folder
    /// (<c>mvtec_anomaly_detection/</c>) is looked into, so wrapped and unwrapped copies import to the same version.</summary>
    public static string ContentRoot(string folder)
    {
        while (true)
        {
            var entries = Directory.EnumerateFileSystemEntries(folder).Where(e => !SafeZip.IsJunk(Path.GetFileName(e))).ToList();
            if (entries.Count != 1 || !Directory.Exists(entries[0]) || Detect(folder) is not null) return folder;
            folder = entries[0];
        }
    }

    public static DatasetLayout? Detect(string root) =>
        File.Exists(Path.Combine(root, TrainMetadata)) && File.Exists(Path.Combine(root, TestMetadata)) ? DatasetLayout.UniadJsonl
        : VisaLayout.Looks(root) ? DatasetLayout.Visa
        : MvtecLayout.Looks(root) || HasCategoryFolders(root) ? DatasetLayout.Mvtec
        : ClassFolderLayout.Looks(root) ? DatasetLayout.ClassFolder
        : null;

    public static DatasetLayout Parse(string name) => name.ToLowerInvariant() switch
    {
        "mvtec" => DatasetLayout.Mvtec,
        "uniad-jsonl" or "jsonl" => DatasetLayout.UniadJsonl,
        "class-folder" or "classes" => DatasetLayout.ClassFolder,
        "visa" => DatasetLayout.Visa,
        _ => throw new DatasetException($"unknown layout '{name}': choose mvtec, uniad-jsonl, class-folder or visa"),
    };

    public static string Name(DatasetLayout layout) => layout switch
    {
        DatasetLayout.Mvtec => "mvtec",
        DatasetLayout.UniadJsonl => "uniad-jsonl",
        DatasetLayout.Visa => "visa",
        _ => "class-folder",
    };

    /// <summary>Reads the dataset in <paramref name="root"/>. Class folders need the normal classes; leniently
    /// (for validation) a class folder without them reads every image as its own class's, unlabelled.</summary>
    public static AnomalyDataset Read(string root, DatasetLayout layout, ClassFolderOptions? classFolder, bool lenient = false) => layout switch
    {
        DatasetLayout.Mvtec => MvtecLayout.Read(root, requireTrainImages: !lenient),
        DatasetLayout.UniadJsonl => UniadJsonl.Read(Path.Combine(root, TrainMetadata), Path.Combine(root, TestMetadata), root),
        DatasetLayout.Visa => VisaLayout.Read(root),
        _ when classFolder is not null => ClassFolderLayout.Read(root, classFolder),
        _ when lenient => ClassFolderLayout.ReadUnlabelled(root),
        _ => throw new DatasetException("a folder-of-classes dataset needs its normal classes (e.g. --normal-classes 0,1,2,3,4)"),
    };

    // A category folder with only a test/ (its train/good is missing) is still meant as MVTec layout.
    private static bool HasCategoryFolders(string root) =>
        Directory.EnumerateDirectories(root).Any(c => Directory.Exists(Path.Combine(c, "train")) || Directory.Exists(Path.Combine(c, "test")));
}
