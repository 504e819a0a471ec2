using UniAD.Core.Data;
using static TorchSharp.torch;

namespace UniAD.Datasets.Tests;

/// <summary>VisA as it is distributed (a VisA-shaped copy of the demo set: <see cref="VisaShapedDataset"/>): detected,
/// imported to the same samples as the MVTec copy it was made from, its masks' small defect values read as defect and
/// said once in the report, and each broken row of its split file named by line.</summary>
public class VisaImportTests
{
    private readonly DatasetStore _store = new(Files.TempDirectory());

    private static (string Mvtec, string Visa) Pair()
    {
        var mvtec = Files.DemoMvtec();
        var visa = Files.TempDirectory();
        VisaShapedDataset.Write(mvtec, visa);
        return (mvtec, visa);
    }

    [Fact]
    public void AVisaZipImportsToTheSamplesOfItsSplitFile()
    {
        var (mvtec, visa) = Pair();

        var (version, report) = _store.Import(new ImportRequest(Files.Zip(visa, wrapper: "VisA_20220922"), "visa"));

        Assert.Equal("visa", version!.Manifest.Layout);
        Assert.Empty(report.Errors);
        var note = Assert.Single(report.Problems);                    // the CSV files and the licence are not "unused files"
        Assert.Equal(ProblemKind.NonzeroMaskValues, note.Kind);
        Assert.Equal(Severity.Warning, note.Severity);
        Assert.StartsWith("7 mask(s) mark defect pixels with values other than 255 (seen: 1)", note.Message);
        Assert.Contains("every nonzero pixel is read as defect", note.Message);

        var fabric = report.Categories[0];
        Assert.Equal(["fabric", "nut"], report.Categories.Select(c => c.Category));
        Assert.Equal((3, 2, 4, 4), (fabric.Train, fabric.TestNormal, fabric.TestAnomalous, fabric.Masks));
        Assert.Equal(new Dictionary<string, int> { [VisaLayout.DefectType] = 4 }, fabric.DefectTypes);

        // The same images in the same splits as the MVTec copy it was made from.
        static IEnumerable<string> Rows(AnomalyDataset d) => d.Samples.Select(s => $"{s.Category} {s.Split} {s.IsAnomalous} {s.MaskPath is null}").Order();
        var stored = version.Load();
        Assert.Equal(Rows(MvtecLayout.Read(mvtec)), Rows(stored));
        Assert.Equal("fabric/Data/Images/Normal/0000.JPG", stored.Samples[0].Key);
    }

    [Fact]
    public void AVisaFolderIsDetectedAndReadWithoutImporting()
    {
        var (_, visa) = Pair();
        Assert.Equal(DatasetLayout.Visa, DatasetLayouts.Detect(visa));
        var dataset = DatasetLoader.Open(visa);
        Assert.Equal(3 + 2 + 4 + 3 + 2 + 3, dataset.Samples.Count);
        Assert.All(dataset.Test.Where(s => s.IsAnomalous), s => Assert.EndsWith(".png", s.MaskPath));
    }

    [Fact]
    public void AVisaMaskReadsAsTheBinaryMaskItWasMadeFrom()
    {
        var (mvtec, visa) = Pair();
        var binary = MvtecLayout.Read(mvtec).Test.Where(s => s.IsAnomalous).Select(s => s.MaskPath!).ToList();
        var small = VisaLayout.Read(visa).Test.Where(s => s.IsAnomalous).Select(s => s.MaskPath!).ToList();
        Assert.Equal(binary.Count, small.Count);
        // The VisA copy numbered the anomalous images in the MVTec copy's order, and its split file keeps that order.
        foreach (var (a, b) in binary.Zip(small))
        {
            using var expected = ImageLoader.LoadMask(a, 64, 64);
            using var read = ImageLoader.LoadMask(b, 64, 64);
            Assert.True(expected.sum().item<long>() > 0, a);
            Assert.True(expected.equal(read).all().item<bool>(), $"{b} read otherwise than {a}");
        }
    }

    public static TheoryData<string, string, string> BrokenRows => new()
    {
        { "fabric,test,anomalous,fabric/Data/Images/Anomaly/000.JPG,", "line 2", "label 'anomalous' is neither normal nor anomaly" },
        { "fabric,val,normal,fabric/Data/Images/Normal/0000.JPG,", "line 2", "split 'val' is neither train nor test" },
        { "fabric,train,normal,fabric/Data/Images/Normal/9999.JPG,", "line 2", "image not found: fabric/Data/Images/Normal/9999.JPG" },
        { "fabric,train,normal,../../etc/passwd,", "line 2", "../../etc/passwd is outside the dataset" },
        { "fabric,train,anomaly,fabric/Data/Images/Anomaly/000.JPG,fabric/Data/Masks/Anomaly/000.png", "line 2", "an anomalous image in the training split" },
        { "fabric,train,normal,fabric/Data/Images/Normal/0000.JPG,fabric/Data/Masks/Anomaly/000.png", "line 2", "a normal image with a mask" },
        { "fabric,train,normal", "line 2", "3 fields where the header has 5" },
    };

    [Theory]
    [MemberData(nameof(BrokenRows))]
    public void ABrokenRowIsNamedByItsLineAndNothingIsStored(string row, string line, string problem)
    {
        var (_, visa) = Pair();
        var split = Path.Combine(visa, VisaLayout.SplitFile);
        File.WriteAllLines(split, [File.ReadLines(split).First(), row, .. File.ReadLines(split).Skip(1)]);

        var (version, report) = _store.Import(new ImportRequest(visa, "visa"));

        Assert.Null(version);
        var error = Assert.Single(report.Errors);
        Assert.Equal(ProblemKind.Layout, error.Kind);
        Assert.StartsWith($"{VisaLayout.SplitFile}: {line}: ", error.Message);
        Assert.Contains(problem, error.Message);
        Assert.Empty(Files.Leftovers(_store));
    }

    [Fact]
    public void ARepeatedImageNamesTheLineItFirstAppearedOn()
    {
        var (_, visa) = Pair();
        var split = Path.Combine(visa, VisaLayout.SplitFile);
        File.AppendAllLines(split, [File.ReadLines(split).Skip(1).First()]);
        var message = Assert.Throws<DatasetException>(() => VisaLayout.Read(visa)).Message;
        Assert.EndsWith("fabric/Data/Images/Normal/0000.JPG is listed again (first on line 2)", message);
    }

    [Fact]
    public void AHeaderWithoutTheColumnsSaysWhichAreMissing()
    {
        var (_, visa) = Pair();
        File.WriteAllLines(Path.Combine(visa, VisaLayout.SplitFile), ["object,split,image"]);
        Assert.Equal($"{VisaLayout.SplitFile}: line 1: the header lacks label, mask; expected object,split,label,image,mask",
            Assert.Throws<DatasetException>(() => VisaLayout.Read(visa)).Message);
    }

    [Fact]
    public void AnImageTheSplitFileDoesNotListIsAWarningThatNamesIt()
    {
        var (_, visa) = Pair();
        File.Copy(Path.Combine(visa, "nut/Data/Images/Normal/0000.JPG"), Path.Combine(visa, "nut/Data/Images/Normal/0999.JPG"));
        var report = DatasetValidator.Validate(visa, DatasetLayout.Visa, null, ContentHash.DigestFiles(visa));
        var stray = Assert.Single(report.Problems, p => p.Kind == ProblemKind.NotInLayout);
        Assert.Equal(("nut/Data/Images/Normal/0999.JPG", $"not listed in {VisaLayout.SplitFile}; ignored"), (stray.File, stray.Message));
    }

    [Fact]
    public void AGreyMaskInTheMvtecLayoutIsStillAnError()
    {
        // VisA's small values are its convention; the same values in an MVTec-layout mask are a mistake worth stopping for.
        var (mvtec, visa) = Pair();
        var mask = Path.Combine(mvtec, "fabric/ground_truth/hole/000_mask.png");
        File.Copy(Path.Combine(visa, "fabric/Data/Masks/Anomaly/000.png"), mask, overwrite: true);
        var report = DatasetValidator.Validate(mvtec, DatasetLayout.Mvtec, null, ContentHash.DigestFiles(mvtec));
        Assert.Equal(ProblemKind.NonBinaryMask, Assert.Single(report.Errors).Kind);
    }
}
