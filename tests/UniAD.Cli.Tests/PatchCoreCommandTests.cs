using System.Globalization;
using UniAD.Core.Evaluation;
using UniAD.Core.Training;

namespace UniAD.Cli.Tests;

/// <summary>A tiny PatchCore run end to end through the CLI: <c>train --method patchcore</c>, then <c>eval</c> and
/// <c>predict</c> on its memory bank.</summary>
public sealed class PatchCoreCommandTests : IDisposable
{
    private readonly string _root = TestScratch.NewFolder("uniad-cli-patchcore");
    private string PathOf(string name) => Path.Combine(_root, name);

    [Fact]
    public void APatchCoreRunTrainsEvaluatesAndPredictsFromItsMemoryBank()
    {
        Uniad.Succeeds("demo-data", "--out", PathOf("data"), "--image-size", "64", "--train", "6", "--test-good", "2", "--test-defect", "1",
            "--categories", "fabric", "nut");
        var train = Uniad.Succeeds("train", "--data", PathOf("data"), "--out", PathOf("run"), "--method", "patchcore",
            "--set", "backbone.input_size=[64,64]", "--set", "patchcore.coreset_fraction=0.25");
        var run = new RunFolder(PathOf("run"));
        Assert.Contains("image score: largest patch score (PatchCore, official code)", train.StdoutWords);
        Assert.Contains("coreset (patches picked): 192/192", train.StdoutLines);             // 6 × 2 images × 8 × 8 patches, 25%
        foreach (var file in new[] { RunFolder.MemoryBankFile, RunFolder.ImageScoresFile, RunFolder.AnomalyMapsFile, RunFolder.ResultsJsonFile })
            Assert.True(run.Has(file), file);
        Assert.False(run.Has(RunFolder.CheckpointFile));
        var trained = run.ReadResults()!;

        var eval = Uniad.Succeeds("eval", "--checkpoint", run.MemoryBank, "--data", PathOf("data"), "--out", PathOf("eval"));
        Assert.Contains("image score: largest patch score (PatchCore, official code)", eval.StdoutWords);
        Assert.Equal(trained.Mean, ReportFiles.ReadJson(Path.Combine(PathOf("eval"), RunFolder.ResultsJsonFile)).Mean);
        Uniad.FailsWithOneLine(["eval", "--checkpoint", run.MemoryBank, "--data", PathOf("data"), "--out", PathOf("eval"), "--image-score", "mean"],
            "--image-score chooses among UniAD's map scores", RunFolder.ImageScoresFile);

        // predict scores a folder of the test images as the run scored them.
        Uniad.Succeeds("predict", "--checkpoint", run.MemoryBank, "--input", Path.Combine(PathOf("data"), "nut", "test"), "--out", PathOf("predict"));
        var predicted = File.ReadAllLines(Path.Combine(PathOf("predict"), "scores.csv")).Skip(1).Select(l => l.Split(','))
            .ToDictionary(f => Path.GetRelativePath(PathOf("data"), f[0]), f => double.Parse(f[1], CultureInfo.InvariantCulture));
        var saved = run.ReadImageScores("max")!;
        Assert.Equal(5, predicted.Count);
        Close.Equal(predicted.Keys.Select(k => (double)saved[k]), predicted.Values, 1e-4);
    }

    [Fact]
    public void AnUnknownMethodIsNamedWithTheChoices() =>
        Uniad.FailsWithOneLine(["train", "--data", PathOf("data"), "--out", PathOf("run"), "--method", "patchcor"], "unknown method 'patchcor': choose uniad or patchcore");

    public void Dispose() => Directory.Delete(_root, recursive: true);
}
