using UniAD.Core.Data;

namespace UniAD.Datasets.Tests;

/// <summary>The generated demo set imported in each supported layout, from a folder and from a zip.</summary>
public class ImportFormatTests
{
    private readonly DatasetStore _store = new(Files.TempDirectory());

    [Fact]
    public void MvtecFolderImportsWithCountsPerCategoryAndSplit()
    {
        var (version, report) = _store.Import(new ImportRequest(Files.DemoMvtec(), "demo"));

        Assert.Empty(report.Problems);
        Assert.Equal("mvtec", version!.Manifest.Layout);
        Assert.Equal(["fabric", "nut"], report.Categories.Select(c => c.Category));
        var fabric = report.Categories[0];
        Assert.Equal((3, 2, 4, 4), (fabric.Train, fabric.TestNormal, fabric.TestAnomalous, fabric.Masks));
        Assert.Equal(new Dictionary<string, int> { ["hole"] = 1, ["scratch"] = 1, ["stain"] = 1, ["thread"] = 1 }, fabric.DefectTypes);
        Assert.Equal(["64x64"], fabric.ImageSizes);
        Assert.False(fabric.Grayscale);
        var dataset = version.Load();
        Assert.Equal(version.Manifest.Version, dataset.Version);
        Assert.Equal(3 + 2 + 4 + 3 + 2 + 3, dataset.Samples.Count);
        Assert.Equal(report.ToJson(), version.Report.ToJson());
    }

    [Fact]
    public void ZipWithAWrappingFolderIsTheSameVersionAsTheFolder()
    {
        var source = Files.DemoMvtec();
        var fromFolder = _store.Import(new ImportRequest(source, "demo")).Version!;
        var fromZip = _store.Import(new ImportRequest(Files.Zip(source, wrapper: "mvtec_anomaly_detection"), "demo-zip")).Version!;

        Assert.Equal(fromFolder.Manifest.Version, fromZip.Manifest.Version);
        Assert.Equal(fromFolder.Load().Samples.Select(s => s.Key), fromZip.Load().Samples.Select(s => s.Key));
    }

    [Fact]
    public void UniadJsonlExportImportsBackToTheSameSamples()
    {
        var mvtec = _store.Import(new ImportRequest(Files.DemoMvtec(), "demo")).Version!;
        var copy = Files.TempDirectory();
        foreach (var file in Directory.EnumerateFiles(mvtec.FilesRoot, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(copy, Path.GetRelativePath(mvtec.FilesRoot, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
        mvtec.ExportJsonl(copy);

        var (jsonl, report) = _store.Import(new ImportRequest(Files.Zip(copy), "demo-jsonl"));

        Assert.Empty(report.Problems);
        Assert.Equal("uniad-jsonl", jsonl!.Manifest.Layout);
        static IEnumerable<object> Rows(AnomalyDataset d) =>
            d.Samples.OrderBy(s => s.Key, StringComparer.Ordinal).Select(s => (object)(s.Key, s.Category, s.Split, s.IsAnomalous, s.MaskPath is null));
        Assert.Equal(Rows(mvtec.Load()), Rows(jsonl.Load()));
    }

    [Fact]
    public void FolderOfClassesImportsWithOrWithoutNormalClasses()
    {
        var classes = ClassFolder(Files.DemoMvtec());

        var (labelled, report) = _store.Import(new ImportRequest(classes, "classes", NormalClasses: ["fabric"]));
        var category = Assert.Single(report.Categories);
        Assert.Equal(("normal=fabric", 3, 6, 5), (category.Category, category.Train, category.TestNormal, category.TestAnomalous));
        Assert.Equal(3 + 11, labelled!.Load().Samples.Count);

        var (unlabelled, structure) = _store.Import(new ImportRequest(classes, "classes-open"));
        Assert.Empty(structure.Problems);
        Assert.Equal(["fabric", "nut"], structure.Categories.Select(c => c.Category));
        Assert.Contains("normal classes", Assert.Throws<DatasetException>(() => unlabelled!.Load()).Message);
        Assert.Equal(3, unlabelled!.Load(new ClassFolderOptions(["nut"])).Train.Count);
    }

    /// <summary>The MVTec demo set rearranged as <c>train/&lt;category&gt;</c>, <c>test/&lt;category&gt;</c>.</summary>
    private static string ClassFolder(string mvtec)
    {
        var root = Files.TempDirectory();
        foreach (var category in Directory.EnumerateDirectories(mvtec))
        {
            string name = Path.GetFileName(category);
            foreach (var split in new[] { "train", "test" })
            foreach (var file in Directory.EnumerateFiles(Path.Combine(category, split), "*.png", SearchOption.AllDirectories))
            {
                var target = Path.Combine(root, split, name, $"{Path.GetFileName(Path.GetDirectoryName(file))}-{Path.GetFileName(file)}");
                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                File.Copy(file, target);
            }
        }
        return root;
    }
}
