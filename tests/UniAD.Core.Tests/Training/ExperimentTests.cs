using System.Diagnostics;
using UniAD.Core.Data;
using UniAD.Core.Evaluation;
using UniAD.Core.Training;
using static TorchSharp.torch;

namespace UniAD.Core.Tests.Training;

[Collection(GlobalTorchRng.Name)]
public class ExperimentTests(TinyDataset data) : IClassFixture<TinyDataset>
{
    private ExperimentResult Run(string output, int epochs = 2, bool resume = false, string? cache = null, int evaluateEvery = 10,
        ExperimentHooks? hooks = null)
    {
        var config = TinyDataset.Config(epochs);
        config = config with { Training = config.Training with { EvaluateEveryEpochs = evaluateEvery } };
        return Experiment.Run(new ExperimentRequest(config, MvtecLayout.Read(data.Root), output, CPU, cache, Resume: resume), hooks ?? new ExperimentHooks());
    }

    [Fact]
    public void ARunWritesCheckpointResultsHistoryAndAnomalyMaps()
    {
        var output = TinyDataset.TempDirectory();
        var result = Run(output);
        foreach (var file in new[] { RunFolder.ConfigFile, RunFolder.CheckpointFile, RunFolder.HistoryFile,
                     RunFolder.ResultsJsonFile, RunFolder.ResultsCsvFile, RunFolder.AnomalyMapsFile })
            Assert.True(File.Exists(Path.Combine(output, file)), file);
        var report = result.Report!;
        Assert.Equal(["fabric", "nut"], report.Categories.Select(c => c.Category));
        Assert.All(report.Categories, c => Assert.InRange(c.ImageAuroc, 0, 1));
        Assert.All(report.Categories, c => Assert.InRange(c.Aupro!.Value, 0, 1));
        Assert.Equal((report.Categories[0].PixelAuroc!.Value + report.Categories[1].PixelAuroc!.Value) / 2, report.Mean.PixelAuroc!.Value, 1e-12);
        Assert.Equal(3, File.ReadAllLines(Path.Combine(output, RunFolder.HistoryFile)).Length);   // header + 2 epochs
        Assert.Equal(4, File.ReadAllLines(Path.Combine(output, RunFolder.ResultsCsvFile)).Length); // header + 2 + mean
        Assert.Equal(report, ReportFiles.ReadJson(Path.Combine(output, RunFolder.ResultsJsonFile)) with
        {
            Categories = report.Categories, Warnings = report.Warnings, DefectTypes = report.DefectTypes,   // lists compare by reference
        });
    }

    /// <summary>Every metric of a row, missing ones as NaN, for a comparison with a tolerance.</summary>
    private static IEnumerable<double> Metrics(CategoryMetrics m) =>
        new double?[] { m.ImageAuroc, m.ImageAp, m.ImageF1Max, m.PixelAuroc, m.PixelAp, m.PixelF1Max, m.Aupro }.Select(v => v ?? double.NaN);

    /// <summary>The test images and the run's saved anomaly maps, stacked in the same order.</summary>
    private (IReadOnlyList<AnomalySample> Test, Tensor Maps) SavedMaps(string output)
    {
        var test = MvtecLayout.Read(data.Root).Test;
        var maps = AnomalyMapArchive.Load(Path.Combine(output, RunFolder.AnomalyMapsFile));
        Assert.Equal(test.Count, maps.Count);
        return (test, stack(test.Select(s => maps[s.Key])));
    }

    [Fact]
    public void SavedAnomalyMapsReproduceTheMetricsAndLoadInNumpy()
    {
        var output = TinyDataset.TempDirectory();
        var report = Run(output).Report!;
        var (test, stacked) = SavedMaps(output);
        using var _ = stacked;
        var again = Evaluator.Score(stacked, test, TinyDataset.Config().Evaluation, 64, 64);
        Close.Equal(Metrics(report.Mean), Metrics(again.Mean), 1e-12);

        var numpy = Process.Start(new ProcessStartInfo("/usr/bin/python3",
            ["-c", "import numpy, sys; z = numpy.load(sys.argv[1]); print(len(z.files), z[z.files[0]].shape, z[z.files[0]].dtype)",
             Path.Combine(output, RunFolder.AnomalyMapsFile)]) { RedirectStandardOutput = true })!;
        var printed = numpy.StandardOutput.ReadToEnd().Trim();
        numpy.WaitForExit();
        Assert.Equal($"{test.Count} (1, 4, 4) float32", printed);
    }

    [Fact]
    public void EachDefectTypeIsScoredAgainstItsCategorysNormalImages()
    {
        var output = TinyDataset.TempDirectory();
        var report = Run(output).Report!;
        var (test, stacked) = SavedMaps(output);
        using var _ = stacked;
        var config = TinyDataset.Config().Evaluation;
        var scores = ImageScore.Compute(Core.Model.UniadModel.UpsampleMap(stacked, 64, 64), config.ImageScore, config.AvgPoolKernel).data<float>().ToArray();

        var expectedTypes = test.Where(s => s.IsAnomalous).Select(s => (s.Category, s.DefectType)).Distinct().Order().ToList();
        Assert.Equal(expectedTypes, report.DefectTypes!.Select(d => (d.Category, d.DefectType)));
        foreach (var row in report.DefectTypes!)
        {
            // AUROC as the probability that an image of this type outscores a normal one of its category (ties count half).
            var defect = test.Select((s, i) => (s, i)).Where(x => x.s.Category == row.Category && x.s.DefectType == row.DefectType).Select(x => scores[x.i]).ToList();
            var normal = test.Select((s, i) => (s, i)).Where(x => x.s.Category == row.Category && !x.s.IsAnomalous).Select(x => scores[x.i]).ToList();
            double pairs = defect.Sum(d => normal.Sum(n => d > n ? 1.0 : d == n ? 0.5 : 0.0));
            Assert.Equal(pairs / (defect.Count * normal.Count), row.ImageAuroc, 1e-12);
            Assert.Equal(defect.Count, row.Images);
            Assert.InRange(row.PixelAuroc!.Value, 0, 1);
        }
        var csv = File.ReadAllLines(Path.Combine(output, RunFolder.DefectTypesFile));
        Assert.Equal(1 + expectedTypes.Count, csv.Length);
        Assert.Equal(report.DefectTypes, ReportFiles.ReadJson(Path.Combine(output, RunFolder.ResultsJsonFile)).DefectTypes);
    }

    [Fact]
    public void ResumingARunThatFinishedExtendsItAndKeepsItsHistory()
    {
        var output = TinyDataset.TempDirectory();
        Run(output, epochs: 1);
        var extended = Run(output, epochs: 3, resume: true);
        Assert.Equal([1, 2, 3], extended.State.History.Select(h => h.Epoch));
    }

    [Fact]
    public void AnExistingRunIsNeverOverwrittenWithoutResume()
    {
        var output = TinyDataset.TempDirectory();
        Run(output, epochs: 1);
        var before = File.ReadAllBytes(Path.Combine(output, RunFolder.CheckpointFile));
        var error = Assert.Throws<ConflictException>(() => Run(output, epochs: 1));
        Assert.Contains("already holds a run", error.Message);
        Assert.Equal(before, File.ReadAllBytes(Path.Combine(output, RunFolder.CheckpointFile)));
    }

    [Fact]
    public void ResumingWithAnotherModelConfigIsRefused()
    {
        var output = TinyDataset.TempDirectory();
        Run(output, epochs: 1);
        var other = TinyDataset.Config(2) with { Model = TinyDataset.Config().Model with { HiddenDim = 16 } };
        var error = Assert.Throws<ConflictException>(() => Experiment.Run(
            new ExperimentRequest(other, MvtecLayout.Read(data.Root), output, CPU, Resume: true), new ExperimentHooks()));
        Assert.Contains("different config", error.Message);
    }

    [Fact]
    public void FeaturesAreComputedOncePerDatasetAndReusedAcrossRuns()
    {
        var cache = TinyDataset.TempDirectory();
        var extracted = new List<string>();
        var hooks = new ExperimentHooks(ImagesProcessed: (stage, done, total) => { if (done == total) extracted.Add(stage); });
        var dataset = MvtecLayout.Read(data.Root);
        Experiment.Run(new ExperimentRequest(TinyDataset.Config(1), dataset, TinyDataset.TempDirectory(), CPU, cache), hooks);
        Experiment.Run(new ExperimentRequest(TinyDataset.Config(1), dataset, TinyDataset.TempDirectory(), CPU, cache), hooks);
        Assert.Equal(["train", "test"], extracted);
        Assert.Equal(2, Directory.GetFiles(cache, "*.features").Length);
    }

    [Fact]
    public void TheTestSetIsEvaluatedDuringTrainingWithoutChangingTheTraining()
    {
        var reported = new List<int>();
        var output = TinyDataset.TempDirectory();
        var evaluated = Run(output, epochs: 3, evaluateEvery: 1, hooks: new ExperimentHooks(TestEvaluated: e => reported.Add(e.Epoch)));
        var plain = Run(TinyDataset.TempDirectory(), epochs: 3, evaluateEvery: 0);

        Assert.Equal([1, 2, 3], evaluated.Evaluations.Select(e => e.Epoch));
        Assert.Equal([1, 2, 3], reported);
        Assert.Equal(plain.State.History.Select(h => h.MeanLoss), evaluated.State.History.Select(h => h.MeanLoss));   // no RNG drawn
        Assert.Equal(plain.Report!.Mean, evaluated.Report!.Mean);
        Assert.Equal([3], plain.Evaluations.Select(e => e.Epoch));

        // The last evaluation is the final report (with AUPRO); the ones during training skip AUPRO.
        Assert.Equal(evaluated.Report.Mean, evaluated.Evaluations[^1].Mean);
        Assert.All(evaluated.Evaluations.SkipLast(1), e => Assert.Null(e.Mean.Aupro));
        Assert.NotEqual(evaluated.Evaluations[0].Mean.PixelAuroc, evaluated.Evaluations[1].Mean.PixelAuroc);

        Assert.All(evaluated.Evaluations, e => Assert.InRange(e.PassThrough!.Value, 0, 10));   // the identity pass-through, each time
        var csv = File.ReadAllLines(Path.Combine(output, RunFolder.EvaluationsFile));
        Assert.EndsWith(",pass_through", csv[0]);
        Assert.Equal(1 + 3 * 3, csv.Length);                                                    // header + 3 epochs × (2 categories + mean)
        Assert.StartsWith("2,nut,", csv[5]);
        var best = evaluated.BestOnTest!;
        Assert.Equal(evaluated.Evaluations.Max(e => e.Mean.PixelAuroc!.Value), best.KeyMetric);
    }

    [Fact]
    public void EvaluationsDuringTrainingSurviveAResume()
    {
        var output = TinyDataset.TempDirectory();
        Run(output, epochs: 2, evaluateEvery: 1);
        var extended = Run(output, epochs: 4, resume: true, evaluateEvery: 1);
        Assert.Equal([1, 2, 3, 4], extended.Evaluations.Select(e => e.Epoch));
        Assert.NotNull(extended.Evaluations[1].Mean.Aupro);                 // epoch 2 was the first run's last: fully evaluated
        var again = Run(output, epochs: 4, resume: true, evaluateEvery: 1);  // nothing left to train: evaluated again, same numbers
        Assert.Equal(extended.Evaluations.Select(e => e.Mean), again.Evaluations.Select(e => e.Mean));
    }
}
