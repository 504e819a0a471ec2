namespace UniAD.Core.Data;

/// <summary>Reads the MVTec AD folder layout: <c>CATEGORY/train/good/*</c>, <c>CATEGORY/test/&lt;defect|good&gt;/*</c>,
/// <c>CATEGORY/ground_truth/&lt;defect&gt;/&lt;name&gt;_mask.png</c>. Any number of categories and any image size.</summary>
public static class MvtecLayout
{
    public const string Good = "good";

    public static bool Looks(string root) =>
        Directory.Exists(root) && Directory.EnumerateDirectories(root).Any(c => Directory.Exists(Path.Combine(c, "train", Good)));

    /// <summary>The category folders: those with a <c>train</c> or <c>test</c> subfolder.</summary>
    public static IReadOnlyList<string> CategoryFolders(string root)
    {
        if (!Directory.Exists(root)) throw new DatasetException($"dataset folder not found: {Path.GetFullPath(root)}");
        var categories = Directory.EnumerateDirectories(Path.GetFullPath(root))
            .Where(c => Directory.Exists(Path.Combine(c, "train")) || Directory.Exists(Path.Combine(c, "test")))
            .Order(StringComparer.Ordinal).ToList();
        return categories.Count > 0 ? categories
            : throw new DatasetException($"{Path.GetFullPath(root)} is not in the MVTec layout: no CATEGORY/train or CATEGORY/test folder");
    }

    /// <summary>Every image of the dataset. With <paramref name="requireTrainImages"/> a category without training
    /// images is an error; the validator reads leniently and reports it with the other problems.</summary>
    public static AnomalyDataset Read(string root, bool requireTrainImages = true)
    {
        root = Path.GetFullPath(root);
        var samples = new List<AnomalySample>();
        foreach (var categoryDir in CategoryFolders(root))
        {
            string category = Path.GetFileName(categoryDir);
            var train = ImageDecoder.ImagesIn(Path.Combine(categoryDir, "train", Good)).ToList();
            if (train.Count == 0 && requireTrainImages)
                throw new DatasetException($"category '{category}' has no training images in {Path.Combine(categoryDir, "train", Good)}");
            samples.AddRange(train.Select(path => Sample(root, path, category, Split.Train, Good, null)));
            var testDir = Path.Combine(categoryDir, "test");
            if (!Directory.Exists(testDir)) continue;
            foreach (var defectDir in Directory.EnumerateDirectories(testDir).Order(StringComparer.Ordinal))
            {
                string defect = Path.GetFileName(defectDir);
                foreach (var path in ImageDecoder.ImagesIn(defectDir))
                    samples.Add(Sample(root, path, category, Split.Test, defect,
                        defect == Good ? null : FindMask(categoryDir, defect, path)));
            }
        }
        return new AnomalyDataset(root, samples);
    }

    private static AnomalySample Sample(string root, string path, string category, Split split, string defect, string? mask) =>
        new(Path.GetRelativePath(root, path).Replace('\\', '/'), path, category, split, defect != Good, defect, mask);

    /// <summary>Masks are <c>ground_truth/&lt;defect&gt;/&lt;stem&gt;_mask.&lt;ext&gt;</c>; a defect image without one
    /// is image-level only (its pixels count as anomalous, as in the official loader).</summary>
    private static string? FindMask(string categoryDir, string defect, string imagePath)
    {
        var folder = Path.Combine(categoryDir, "ground_truth", defect);
        string stem = Path.GetFileNameWithoutExtension(imagePath) + "_mask";
        return ImageDecoder.ImagesIn(folder).FirstOrDefault(m => Path.GetFileNameWithoutExtension(m) == stem);
    }
}
