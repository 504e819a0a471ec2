using SkiaSharp;

namespace UniAD.Datasets.Tests;

/// <summary>Each validation problem, produced by a crafted bad input and reported with its file.</summary>
public class ValidationTests
{
    private static ValidationReport Validate(string root, DatasetLayout layout = DatasetLayout.Mvtec) =>
        DatasetValidator.Validate(root, layout, null, ContentHash.DigestFiles(root));

    public static TheoryData<string, Action<string>, ProblemKind, string> Damage => new()
    {
        { "truncated PNG", root => Truncate(Path.Combine(root, "fabric/test/hole/000.png")), ProblemKind.Truncated, "fabric/test/hole/000.png" },
        { "garbage bytes", root => File.WriteAllBytes(Path.Combine(root, "fabric/train/good/001.png"), [1, 2, 3, 4, 5]), ProblemKind.Unreadable, "fabric/train/good/001.png" },
        { "mask without image", root => File.Delete(Path.Combine(root, "fabric/test/stain/000.png")), ProblemKind.MaskWithoutImage, "fabric/ground_truth/stain/000_mask.png" },
        { "defect without mask", root => File.Delete(Path.Combine(root, "fabric/ground_truth/hole/000_mask.png")), ProblemKind.DefectWithoutMask, "fabric/test/hole/000.png" },
        { "mask of another size", root => Mask(root, "nut/ground_truth/crack/000_mask.png", 32, 255), ProblemKind.MaskSizeMismatch, "nut/ground_truth/crack/000_mask.png" },
        { "grey mask", root => Mask(root, "nut/ground_truth/crack/000_mask.png", 64, 128), ProblemKind.NonBinaryMask, "nut/ground_truth/crack/000_mask.png" },
        { "empty category", root => Empty(Path.Combine(root, "nut/train/good")), ProblemKind.EmptyCategory, "nut/train/good" },
        { "no anomalies in test", root => { foreach (var d in new[] { "crack", "missing", "contamination" }) Directory.Delete(Path.Combine(root, "nut/test", d), true); },
            ProblemKind.NoAnomalousTestImages, "nut" },
        { "no normal test images", root => Directory.Delete(Path.Combine(root, "nut/test/good"), true), ProblemKind.NoNormalTestImages, "nut" },
        { "duplicate across splits", root => File.Copy(Path.Combine(root, "fabric/train/good/000.png"), Path.Combine(root, "fabric/test/good/099.png")),
            ProblemKind.Duplicate, "fabric/test/good/099.png" },
        { "unsupported format", root => File.WriteAllText(Path.Combine(root, "fabric/train/good/notes.gif"), "GIF89a"), ProblemKind.UnsupportedFormat, "fabric/train/good/notes.gif" },
        { "image outside the layout", root => File.Copy(Path.Combine(root, "fabric/train/good/000.png"), Path.Combine(root, "fabric/train/stray.png")),
            ProblemKind.NotInLayout, "fabric/train/stray.png" },
    };

    [Theory]
    [MemberData(nameof(Damage))]
    public void EachProblemIsReportedWithItsFile(string what, Action<string> damage, ProblemKind kind, string file)
    {
        var root = Files.DemoMvtec();
        Assert.Empty(Validate(root).Problems);
        damage(root);

        var problem = Assert.Single(Validate(root).Problems, p => p.Kind == kind);
        Assert.True(file == problem.File, $"{what}: reported for {problem.File}");
        Assert.Equal(kind is ProblemKind.Truncated or ProblemKind.Unreadable or ProblemKind.MaskSizeMismatch or ProblemKind.NonBinaryMask or ProblemKind.EmptyCategory
            ? Severity.Error : Severity.Warning, problem.Severity);
    }

    [Fact]
    public void DuplicateAcrossSplitsSaysTheTestSetLeaks()
    {
        var root = Files.DemoMvtec();
        File.Copy(Path.Combine(root, "nut/train/good/000.png"), Path.Combine(root, "nut/test/good/099.png"));
        Assert.Contains("leaks", Assert.Single(Validate(root).Problems).Message);
    }

    [Fact]
    public void JsonlMaskThatDoesNotExistIsAnError()
    {
        var root = Files.DemoMvtec();
        File.WriteAllText(Path.Combine(root, "train.jsonl"), """{"filename": "fabric/train/good/000.png", "label": 0, "label_name": "good", "clsname": "fabric"}""");
        File.WriteAllText(Path.Combine(root, "test.jsonl"),
            """{"filename": "fabric/test/hole/000.png", "label": 1, "label_name": "defective", "clsname": "fabric", "maskname": "fabric/ground_truth/hole/404_mask.png"}""");

        var problem = Assert.Single(Validate(root, DatasetLayout.UniadJsonl).Problems, p => p.Kind == ProblemKind.MaskMissing);
        Assert.Equal("fabric/ground_truth/hole/404_mask.png", problem.File);
    }

    [Fact]
    public void AnImportWithErrorsStoresNothing()
    {
        var root = Files.DemoMvtec();
        Truncate(Path.Combine(root, "nut/train/good/002.png"));
        var store = new DatasetStore(Files.TempDirectory());

        foreach (var source in new[] { root, Files.Zip(root) })
        {
            var (version, report) = store.Import(new ImportRequest(source, "broken"));
            Assert.Null(version);
            Assert.Equal("nut/train/good/002.png", Assert.Single(report.Errors).File);
        }
        Assert.Empty(Files.Leftovers(store));
        Assert.Empty(store.List());
    }

    [Fact]
    public void GrayscaleImagesAreRecognised()
    {
        var root = Files.TempDirectory();
        foreach (var (folder, grey) in new[] { ("screw/train/good", 90), ("screw/train/good", 91), ("screw/test/good", 92) })
            Files.WritePng(Path.Combine(root, folder, $"{grey}.png"), 40, 30, c => c.Clear(new SKColor((byte)grey, (byte)grey, (byte)grey)), SKColorType.Gray8);
        var report = Validate(root);
        var screw = Assert.Single(report.Categories);
        Assert.True(screw.Grayscale);
        Assert.Equal(["40x30"], screw.ImageSizes);
        Assert.Equal(ProblemKind.NoAnomalousTestImages, Assert.Single(report.Problems).Kind);
    }

    private static void Truncate(string path) => File.WriteAllBytes(path, File.ReadAllBytes(path)[..(int)(new FileInfo(path).Length / 2)]);

    private static void Empty(string folder)
    {
        foreach (var f in Directory.EnumerateFiles(folder)) File.Delete(f);
    }

    private static void Mask(string root, string relative, int size, byte value) =>
        Files.WritePng(Path.Combine(root, relative), size, size, c =>
        {
            c.Clear(SKColors.Black);
            using var paint = new SKPaint { Color = new SKColor(value, value, value) };
            c.DrawRect(4, 4, 10, 10, paint);
        });
}
