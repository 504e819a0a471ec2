using System.Globalization;
using SkiaSharp;
using UniAD.Core.Evaluation;
using UniAD.Core.Training;

namespace UniAD.Cli.Tests;

/// <summary>demo-data, train, eval and predict on a tiny generated dataset, and the refusals that protect a run.</summary>
public class TrainedRunTests(TrainedRun run) : IClassFixture<TrainedRun>
{
    [Fact]
    public void DemoDataWritesEachCategoryInTheMvtecLayout()
    {
        Assert.Contains("demo dataset written to", run.DemoData.Stdout);
        foreach (var category in TrainedRun.Categories)
        {
            Assert.Equal(6, Directory.GetFiles(Path.Combine(run.Data, category, "train", "good"), "*.png").Length);
            Assert.Equal(2, Directory.GetFiles(Path.Combine(run.Data, category, "test", "good"), "*.png").Length);
            Assert.NotEmpty(Directory.GetFiles(Path.Combine(run.Data, category, "ground_truth"), "*_mask.png", SearchOption.AllDirectories));
        }
    }

    [Fact]
    public void TrainPrintsThePerCategoryTableAndWritesTheRunFolder()
    {
        foreach (var row in TrainedRun.Categories.Append("mean"))
            Assert.Contains(run.Train.StdoutLines, line => line.StartsWith('│') && line.Contains(row));
        foreach (var file in new[] { RunFolder.ResultsCsvFile, RunFolder.ResultsJsonFile, RunFolder.AnomalyMapsFile,
                     RunFolder.CheckpointFile, RunFolder.HistoryFile, RunFolder.EvaluationsFile })
            Assert.True(File.Exists(Path.Combine(run.RunFolder, file)), file);
        Assert.Equal(3, File.ReadAllLines(Path.Combine(run.RunFolder, RunFolder.HistoryFile)).Length);   // header + 2 epochs
        // --categories fabric,nut (comma-separated) chose both; the test set was evaluated after each epoch.
        Assert.Single(run.Train.StdoutLines, l => l.StartsWith("test after epoch 1: image AUROC "));
        Assert.Single(run.Train.StdoutLines, l => l.StartsWith("test after epoch 2: image AUROC "));
        Assert.Equal(1 + 2 * 3, File.ReadAllLines(Path.Combine(run.RunFolder, RunFolder.EvaluationsFile)).Length);
    }

    [Fact]
    public void TheRunRecordsTheStoredDatasetVersionItTrainedOn()
    {
        var manifest = UniAD.Datasets.DatasetVersion.Open(run.DatasetVersion).Manifest;
        Assert.Contains($"stored demo@{manifest.ShortVersion}", run.Import.StdoutWords);
        Assert.Contains($"version: {manifest.Version}", File.ReadAllLines(Path.Combine(run.RunFolder, RunFolder.DatasetFile)));
    }

    [Fact]
    public void EvalWithAnotherImageScoreWritesItIntoTheResults()
    {
        var output = run.NewPath("eval-mean");
        var eval = Uniad.Succeeds("eval", "--checkpoint", run.Checkpoint, "--data", run.Data, "--image-score", "mean", "--out", output);

        Assert.Contains("image score: mean of map", eval.StdoutWords);
        Assert.Equal("mean of map", ReportFiles.ReadJson(Path.Combine(output, RunFolder.ResultsJsonFile)).ImageScore);
        Assert.All(File.ReadAllLines(Path.Combine(output, RunFolder.ResultsCsvFile)).Skip(1), row => Assert.EndsWith(",mean of map", row));
    }

    [Theory]
    [InlineData(false, "for all images")]
    [InlineData(true, "per image")]
    public void PredictScoresEveryImageAndWritesAHeatmapAtTheImagesSize(bool perImageScale, string scaleNote)
    {
        var input = Path.Combine(run.Data, "nut", "test");
        var output = run.NewPath($"predict-{perImageScale}");
        string[] args = ["predict", "--checkpoint", run.Checkpoint, "--input", input, "--out", output];
        var predict = Uniad.Succeeds(perImageScale ? [.. args, "--per-image-scale"] : args);

        Assert.Matches($"heatmap scale .*{scaleNote}", predict.StdoutWords);
        var lines = File.ReadAllLines(Path.Combine(output, "scores.csv"));
        Assert.Equal("image,score,heatmap", lines[0]);
        var rows = lines.Skip(1).Select(line => line.Split(',')).ToList();
        var images = Directory.GetFiles(input, "*.png", SearchOption.AllDirectories);
        Assert.Equal(images.Order(), rows.Select(row => row[0]).Order());
        Assert.Equal(images.Length, Directory.GetFiles(output, "*_heatmap.png").Length);
        foreach (var (image, score, heatmapFile) in rows.Select(row => (row[0], row[1], row[2])))
        {
            Assert.True(double.IsFinite(double.Parse(score, CultureInfo.InvariantCulture)), score);
            using var heatmap = SKBitmap.Decode(heatmapFile);
            Assert.NotNull(heatmap);
            Assert.Equal(SKBitmap.DecodeBounds(image).Size, heatmap.Info.Size);
        }
    }

    [Fact]
    public void PredictOfAMissingInputNamesIt()
    {
        var missing = run.NewPath("no-such-image.png");
        Uniad.FailsWithOneLine(["predict", "--checkpoint", run.Checkpoint, "--input", missing, "--out", run.NewPath("predict-missing")], missing);
    }

    [Fact]
    public void AnUnknownOverrideKeyIsNamed() =>
        Uniad.FailsWithOneLine(["train", "--data", run.Data, "--out", run.NewPath("unknown-key"), "--config", run.ConfigFile,
            "--set", "model.no_such_key=1"], "unknown key 'no_such_key'");

    [Fact]
    public void TrainIntoAFileInsteadOfAFolderIsRefused()
    {
        var file = run.NewPath("not-a-folder");
        File.WriteAllText(file, "");
        Uniad.FailsWithOneLine(["train", "--data", run.Data, "--out", file, "--config", run.ConfigFile], file);
    }

    [Fact]
    public void TrainIntoAFolderThatHoldsARunIsRefusedWithoutResume() =>
        AssertTrainingTheRunAgainIsRefused("already holds a run");

    [Fact]
    public void ResumingWithAnotherModelConfigIsRefused() =>
        AssertTrainingTheRunAgainIsRefused("different config", "--resume", "--set", "model.hidden_dim=16");

    [Fact]
    public void ResumingWithoutConfigOptionsGoesOnWithTheRunsOwnConfig()
    {
        // The run was trained from a config file; the default preset would be another config, and must not be used.
        var copy = run.NewPath("resumed-with-its-own-config");
        foreach (var file in Directory.EnumerateFiles(run.RunFolder, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(copy, Path.GetRelativePath(run.RunFolder, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
        Uniad.Succeeds("train", "--data", run.DatasetVersion, "--out", copy, "--resume", "--epochs", "3",
            "--categories", string.Join(',', TrainedRun.Categories));
        var resumed = Checkpoint.Load(Path.Combine(copy, RunFolder.CheckpointFile));
        Assert.Equal(3, resumed.State.CompletedEpochs);
        Assert.Equal(["training.epochs"], Core.Configuration.ConfigDiff.Differences(Checkpoint.Load(run.Checkpoint).Config, resumed.Config).Select(d => d.Key));
    }

    [Fact]
    public void ResumingWithAConflictingOptionNamesTheKeysBeforeAnyWork() =>
        AssertTrainingTheRunAgainIsRefused("model.hidden_dim: 32 in the run, 16 now", "--resume", "--set", "model.hidden_dim=16");

    private void AssertTrainingTheRunAgainIsRefused(string expectedInMessage, params string[] extraArgs)
    {
        var before = File.ReadAllBytes(run.Checkpoint);
        Uniad.FailsWithOneLine(["train", "--data", run.Data, "--out", run.RunFolder, "--config", run.ConfigFile, .. extraArgs],
            expectedInMessage);
        Assert.Equal(before, File.ReadAllBytes(run.Checkpoint));
    }
}
