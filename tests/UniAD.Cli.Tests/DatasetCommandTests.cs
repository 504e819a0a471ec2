using System.Text.Json;

namespace UniAD.Cli.Tests;

/// <summary><c>uniad dataset …</c> as a user runs it.</summary>
public class DatasetCommandTests(TrainedRun run) : IClassFixture<TrainedRun>
{
    [Fact]
    public void ListShowsTheImportedVersion()
    {
        var list = Uniad.Succeeds("dataset", "list", "--store", run.Store);
        Assert.Contains(Path.GetFileName(run.DatasetVersion), list.Stdout);
        Assert.Contains("mvtec", list.Stdout);
    }

    [Fact]
    public void ValidateAsJsonCountsEveryCategoryWithoutStoringAnything()
    {
        var report = JsonDocument.Parse(Uniad.Succeeds("dataset", "validate", run.Data, "--json").Stdout).RootElement;
        Assert.Equal(TrainedRun.Categories, report.GetProperty("categories").EnumerateArray().Select(c => c.GetProperty("category").GetString()));
        Assert.Equal(0, report.GetProperty("problems").GetArrayLength());
    }

    [Fact]
    public void ABrokenDatasetIsNotImportedAndTheErrorNamesTheFile()
    {
        var broken = run.NewPath("broken");
        Uniad.Succeeds("demo-data", "--out", broken, "--image-size", "32", "--train", "2", "--test-good", "1", "--test-defect", "1", "--categories", "wood");
        File.WriteAllBytes(Path.Combine(broken, "wood/train/good/001.png"), [0x89, 0x50, 0x4E, 0x47]);
        var store = run.NewPath("broken-store");

        var import = Uniad.Run("dataset", "import", broken, "--name", "broken", "--store", store);
        Assert.Equal(1, import.Exit);
        Assert.Contains("wood/train/good/001.png", import.StdoutWords);
        Assert.StartsWith("error: not imported: wood/train/good/001.png: ", import.Stderr.Trim());
        Assert.Empty(Directory.EnumerateFiles(store, "*", SearchOption.AllDirectories));
    }

    [Fact]
    public void VerifyAndExportWorkOnAStoredVersion()
    {
        Assert.Contains("files match", Uniad.Succeeds("dataset", "verify", run.DatasetVersion).Stdout);
        var meta = run.NewPath("meta");
        Uniad.Succeeds("dataset", "export-jsonl", run.DatasetVersion, "--out", meta);
        var first = JsonDocument.Parse(File.ReadLines(Path.Combine(meta, "train.jsonl")).First()).RootElement;
        Assert.Equal("fabric/train/good/000.png", first.GetProperty("filename").GetString());
    }

    [Fact]
    public void AnUnknownSourceIsOneLine() =>
        Uniad.FailsWithOneLine(["dataset", "import", run.NewPath("nowhere"), "--name", "x", "--store", run.NewPath("s")], "dataset source not found");
}
