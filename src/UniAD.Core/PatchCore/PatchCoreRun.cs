using System.Diagnostics;
using UniAD.Core.Configuration;
using UniAD.Core.Data;
using UniAD.Core.Evaluation;
using UniAD.Core.Features;
using UniAD.Core.Training;
using static TorchSharp.torch;

namespace UniAD.Core.PatchCore;

/// <summary>A PatchCore run from start to results (docs/patchcore.md), in the same run folder layout as a UniAD run:
/// patch features of the training images (or the cache's), the greedy coreset as the memory bank (saved as the run's
/// <see cref="RunFolder.MemoryBank"/>: a run stopped after it goes on from there), then the test images scored against
/// it, their maps, image scores and metrics saved as the run's results. Nothing trains, so there are no epochs.</summary>
public static class PatchCoreRun
{
    /// <summary>The stages <see cref="ExperimentHooks.StageProgress"/> reports, after feature extraction.</summary>
    public const string CoresetStage = "coreset", ScoringStage = "scoring";

    internal static ExperimentResult Run(ExperimentRequest request, UniadConfig config, RunFolder run, ExperimentHooks hooks, CancellationToken cancel)
    {
        var dataset = request.Dataset;
        using var extractor = new FeatureExtractor(config.Backbone, request.Device, config.Patchcore);
        // Refused before any feature is extracted: a bank that would not fit the memory budget.
        long trainingPatches = (long)dataset.Train.Count * extractor.GridHeight * extractor.GridWidth;
        NearestNeighbours.BlockRows(GreedyCoreset.Size(trainingPatches, config.Patchcore.CoresetFraction), extractor.Channels,
            (long)config.Patchcore.MemoryBudgetMb << 20);
        var cache = run.FeatureCache(request.FeatureCacheDirectory);
        run.WriteRunFiles(config, dataset);
        using var bank = File.Exists(run.MemoryBank)
            ? ResumeMatching(run.MemoryBank, config, extractor.Fingerprint)
            : Build(extractor, cache, dataset, config, run, hooks, cancel);
        var state = new TrainingState(0, 0, bank.State.Dimension, bank.State.GridHeight, bank.State.GridWidth, bank.State.FeatureFingerprint, []);
        if (dataset.Test.Count == 0) return new ExperimentResult(state, null, []);
        return new ExperimentResult(state, EvaluateAndSave(bank, extractor, cache, dataset, run, request.Device, hooks, cancel), []);
    }

    /// <summary>The training images' patch features, one bank over all of them (every category of a unified run), and
    /// its greedy coreset, saved.</summary>
    private static MemoryBank Build(FeatureExtractor extractor, FeatureCache cache, AnomalyDataset dataset, UniadConfig config,
        RunFolder run, ExperimentHooks hooks, CancellationToken cancel)
    {
        var p = config.Patchcore;
        Tensor patches;
        using (var features = Experiment.CachedFeatures(extractor, cache, dataset.Train, "train", config, dataset.Version, hooks, cancel))
            patches = features.permute(0, 2, 3, 1).reshape(-1, features.shape[1]).to(float32);                  // (N·h·w)×D
        using (patches)
        {
            int size = GreedyCoreset.Size(patches.shape[0], p.CoresetFraction);
            var clock = Stopwatch.StartNew();
            var selection = GreedyCoreset.Select(patches, p.CoresetFraction, p.CoresetProjection, p.CoresetStartingPoints, config.Training.Seed,
                hooks.StageProgress is null ? null : new SynchronousProgress<int>(done => hooks.StageProgress(CoresetStage, done, size)), cancel);
            using var picks = tensor(selection.Picks.Select(i => (long)i).ToArray());
            var bank = new MemoryBank
            {
                Config = config,
                State = new MemoryBankState(selection.Picks.Length, (int)patches.shape[1], extractor.GridHeight, extractor.GridWidth,
                    extractor.Fingerprint, patches.shape[0], selection.Picks, clock.Elapsed.TotalSeconds),
                Patches = patches.index_select(0, picks),                                                       // M×D
                Projection = selection.Projection,
            };
            bank.Save(run.MemoryBank);
            return bank;
        }
    }

    /// <summary>A run stopped after its bank was saved goes on with that bank, if it was built by the same config from
    /// the same features.</summary>
    private static MemoryBank ResumeMatching(string path, UniadConfig config, string fingerprint)
    {
        var bank = MemoryBank.Load(path);
        try
        {
            Experiment.RequireSameRun(bank.Config, config, path);
            if (bank.State.FeatureFingerprint != fingerprint)
                throw new ConflictException($"the memory bank in {path} was built from features of another backbone or weights file");
            return bank;
        }
        catch
        {
            bank.Dispose();
            throw;
        }
    }

    /// <summary>The dataset's test images scored against the bank: every metric, saved with the anomaly maps and both image
    /// scores as the run's results. Also what <c>uniad eval</c> runs on a memory bank.</summary>
    /// <param name="extractor">Patch features as the bank's (<see cref="MemoryBankState.FeatureFingerprint"/>).</param>
    public static EvaluationReport EvaluateAndSave(MemoryBank bank, FeatureExtractor extractor, FeatureCache cache, AnomalyDataset dataset,
        RunFolder output, Device device, ExperimentHooks hooks, CancellationToken cancel)
    {
        var (config, test) = (bank.Config, dataset.Test);
        if (extractor.Fingerprint != bank.State.FeatureFingerprint)
            throw new ConflictException("the memory bank was built from features of another backbone or weights file");
        using var testFeatures = Experiment.CachedFeatures(extractor, cache, test, "test", config, dataset.Version, hooks, cancel);
        using var scorer = new PatchCoreScorer(bank, device);
        using var scores = scorer.Score(testFeatures, config.Training.BatchSize,
            hooks.StageProgress is null ? null : new SynchronousProgress<int>(done => hooks.StageProgress(ScoringStage, done, test.Count)), cancel);
        var keys = test.Select(s => s.Key).ToList();
        AnomalyMapArchive.Save(output.AnomalyMaps, keys, scores.Maps);
        output.WriteImageScores(keys, [.. Enum.GetValues<PatchImageScore>().Select(kind => (RuleName(kind), scores.Of(kind)))]);
        var report = Evaluator.Score(scores.Maps, test, config.Evaluation, config.Backbone.InputSize[0], config.Backbone.InputSize[1],
            imageScores: (scores.Of(config.Patchcore.ImageScore), PatchCoreScorer.Describe(config.Patchcore)));
        output.WriteResults(report);
        return report;
    }

    /// <summary>The column of <see cref="RunFolder.ImageScores"/> that holds a rule's scores: its config name.</summary>
    public static string RuleName(PatchImageScore kind) => kind.ToString().ToLowerInvariant();
}
