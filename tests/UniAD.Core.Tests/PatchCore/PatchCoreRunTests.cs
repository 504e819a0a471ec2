using UniAD.Core.Configuration;
using UniAD.Core.Data;
using UniAD.Core.Features;
using UniAD.Core.PatchCore;
using UniAD.Core.Training;
using static TorchSharp.torch;

namespace UniAD.Core.Tests.PatchCore;

/// <summary>A whole PatchCore run through <see cref="Experiment.Run"/> on the tiny dataset, its files checked against a
/// brute-force computation from the same patch features.</summary>
public class PatchCoreRunTests(TinyDataset data) : IClassFixture<TinyDataset>
{
    private ExperimentResult Run(string output, UniadConfig? config = null, bool resume = false, ExperimentHooks? hooks = null) =>
        Experiment.Run(new ExperimentRequest(config ?? TinyDataset.PatchCoreConfig(), MvtecLayout.Read(data.Root), output, CPU, Resume: resume),
            hooks ?? new ExperimentHooks());

    [Fact]
    public void ARunKeepsACoresetOfTheTrainingPatchesAndScoresEachTestImageByItsFarthestPatch()
    {
        var output = TinyDataset.TempDirectory();
        var stages = new List<(string Stage, int Done, int Total)>();
        var result = Run(output, hooks: new ExperimentHooks(StageProgress: (stage, done, total) => stages.Add((stage, done, total))));
        var folder = new RunFolder(output);
        var dataset = MvtecLayout.Read(data.Root);

        using var bank = MemoryBank.Load(folder.MemoryBank);
        int trainingPatches = dataset.Train.Count * 8 * 8;
        Assert.Equal(trainingPatches, bank.State.TrainingPatches);
        Assert.Equal(trainingPatches / 10, bank.State.Patches);
        Assert.Equal(new long[] { trainingPatches / 10, 1024 }, bank.Patches.shape);
        Assert.Equal(bank.State.Patches, bank.State.Picks.Distinct().Count());
        Assert.Equal(1024 * 128, bank.Projection!.Length);                // D×d, the official 128-d projection
        Assert.Contains((PatchCoreRun.CoresetStage, bank.State.Patches, bank.State.Patches), stages);
        Assert.Contains((PatchCoreRun.ScoringStage, dataset.Test.Count, dataset.Test.Count), stages);

        // The bank's rows are the picked training patches, and each test image's score is its largest distance to the
        // nearest of them, both from patch features extracted here again.
        var config = TinyDataset.PatchCoreConfig();
        using var extractor = new FeatureExtractor(config.Backbone, CPU, config.Patchcore);
        using var train = extractor.Extract(dataset.Train, 4, half: false).permute(0, 2, 3, 1).reshape(-1, 1024);
        using var picked = train.index_select(0, tensor(bank.State.Picks.Select(p => (long)p).ToArray()));
        Assert.True(picked.allclose(bank.Patches, rtol: 0, atol: 1e-5));
        using var test = extractor.Extract(dataset.Test, 4, half: false).permute(0, 2, 3, 1).reshape(dataset.Test.Count, 64, 1024);
        using var nearest = cdist(test, bank.Patches.unsqueeze(0).expand(dataset.Test.Count, -1, -1)).amin(2).amax(1);
        var saved = folder.ReadImageScores("max")!;
        Close.Equal(nearest.data<float>().Select(v => (double)v), dataset.Test.Select(s => (double)saved[s.Key]), 1e-3);
        Assert.Equal(dataset.Test.Count, folder.ReadImageScores("reweighted")!.Count);

        var report = result.Report!;
        Assert.Equal(PatchCoreScorer.Describe(config.Patchcore), report.ImageScore);
        Assert.Equal(["fabric", "nut"], report.Categories.Select(c => c.Category));
        Assert.All(report.Categories, c => Assert.InRange(c.Aupro!.Value, 0, 1));
        Assert.Empty(result.Evaluations);                          // nothing trains: no evaluations during training
        var maps = UniAD.Core.Evaluation.AnomalyMapArchive.Load(folder.AnomalyMaps);
        Assert.All(maps.Values, m => Assert.Equal(new long[] { 1, 64, 64 }, m.shape));   // at the input size
    }

    [Fact]
    public void TheSameSeedKeepsTheSameBankAndAnotherSeedAnother()
    {
        string a = TinyDataset.TempDirectory(), b = TinyDataset.TempDirectory(), c = TinyDataset.TempDirectory();
        var first = Run(a).Report!;
        var second = Run(b).Report!;
        var config = TinyDataset.PatchCoreConfig();
        Run(c, config.WithSeed(6));
        int[] Picks(string folder) { using var bank = MemoryBank.Load(new RunFolder(folder).MemoryBank); return bank.State.Picks; }
        Assert.Equal(Picks(a), Picks(b));
        Assert.Equal(first.Mean, second.Mean);
        Assert.NotEqual(Picks(a), Picks(c));
    }

    [Fact]
    public void AStoppedRunGoesOnFromItsBankAndARunWithAnotherConfigIsRefused()
    {
        var output = TinyDataset.TempDirectory();
        var first = Run(output).Report!;
        var folder = new RunFolder(output);
        var written = File.GetLastWriteTimeUtc(folder.MemoryBank);
        File.Delete(folder.ResultsJson);
        File.Delete(folder.AnomalyMaps);

        var refused = Assert.Throws<ConflictException>(() => Run(output));
        Assert.Contains(RunFolder.MemoryBankFile, refused.Message);
        var resumed = Run(output, resume: true).Report!;
        Assert.Equal(first.Mean, resumed.Mean);
        Assert.Equal(written, File.GetLastWriteTimeUtc(folder.MemoryBank));   // the coreset was not picked again
        var other = TinyDataset.PatchCoreConfig(fraction: 0.2);
        var mismatch = Assert.Throws<ConflictException>(() => Run(output, other, resume: true));
        Assert.Contains("patchcore.coreset_fraction", mismatch.Message);
    }

    [Fact]
    public void ABankOverTheMemoryBudgetIsRefusedBeforeAnyFeatureIsExtracted()
    {
        var output = TinyDataset.TempDirectory();
        var config = TinyDataset.PatchCoreConfig(fraction: 1) with { Patchcore = new PatchcoreConfig { CoresetFraction = 1, MemoryBudgetMb = 1 } };
        var refused = Assert.Throws<ConfigException>(() => Run(output, config));
        Assert.Contains($"{MvtecLayout.Read(data.Root).Train.Count * 64:N0} patches × 1024 dimensions", refused.Message);
        Assert.Contains("patchcore.memory_budget_mb", refused.Message);
        Assert.False(Directory.Exists(new RunFolder(output).PathOf(RunFolder.FeatureCacheFolder)));
    }
}
