using System.Text.Json;
using UniAD.Core.Data;
using UniAD.Core.Training;

namespace UniAD.Cli.Tests;

/// <summary>VisA through the CLI: a VisA-shaped copy of the demo set validated (its masks' note in the report), imported,
/// and trained on with the tiny config, its small mask values counted as defect pixels.</summary>
public sealed class VisaCommandTests : IDisposable
{
    private readonly string _root = TestScratch.NewFolder("uniad-cli-visa");
    private string PathOf(string name) => Path.Combine(_root, name);

    [Fact]
    public void AVisaFolderIsValidatedImportedAndTrainedOn()
    {
        Uniad.Succeeds("demo-data", "--out", PathOf("mvtec"), "--image-size", "64", "--train", "6", "--test-good", "2", "--test-defect", "1",
            "--categories", "fabric", "nut");
        VisaShapedDataset.Write(PathOf("mvtec"), PathOf("visa"));

        var report = JsonDocument.Parse(Uniad.Succeeds("dataset", "validate", PathOf("visa"), "--json").Stdout).RootElement;
        Assert.Equal("visa", report.GetProperty("layout").GetString());
        var problem = Assert.Single(report.GetProperty("problems").EnumerateArray());
        Assert.Equal("nonzero_mask_values", problem.GetProperty("kind").GetString());

        var import = Uniad.Succeeds("dataset", "import", PathOf("visa"), "--name", "visa", "--store", PathOf("store"));
        Assert.Contains("warning: 7 mask(s) mark defect pixels with values other than 255 (seen: 1)", import.StdoutWords);
        var version = Directory.EnumerateDirectories(PathOf("store/visa")).Single();

        File.WriteAllText(PathOf("config.json"), TinyDataset.Config(epochs: 1).ToJson());
        Uniad.Succeeds("train", "--data", version, "--out", PathOf("run"), "--config", PathOf("config.json"));
        var results = new RunFolder(PathOf("run")).ReadResults()!;
        Assert.Equal(["fabric", "nut"], results.Categories.Select(c => c.Category));
        // Had the masks' value-1 pixels been read as normal, every mask would be empty and the pixel metrics missing.
        Assert.All(results.Categories, c => Assert.True(c.PixelAuroc is not null && c.Aupro is not null, c.Category));
        Assert.Equal([VisaLayout.DefectType], results.DefectTypes!.Select(d => d.DefectType).Distinct());
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);
}
