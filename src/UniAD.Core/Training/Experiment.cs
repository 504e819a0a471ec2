using UniAD.Core.Configuration;
using UniAD.Core.Data;
using UniAD.Core.Evaluation;
using UniAD.Core.Features;
using UniAD.Core.Model;
using UniAD.Core.PatchCore;
using static TorchSharp.torch;

namespace UniAD.Core.Training;

/// <summary>One training run from start to results: the unit the CLI and the lab's job runner both execute.</summary>
public sealed record ExperimentRequest(
    UniadConfig Config,
    AnomalyDataset Dataset,
    string OutputDirectory,
    Device Device,
    string? FeatureCacheDirectory = null,
    bool Resume = false);

/// <summary>Optional callbacks; every one is called on the training thread.</summary>
public sealed record ExperimentHooks(
    Action<string, int, int>? ImagesProcessed = null,   // (stage, done, total)
    IProgress<TrainingProgress>? Training = null,
    Action<EpochSummary>? EpochFinished = null,
    Action<TestEvaluation>? TestEvaluated = null,
    Action<string>? Warning = null,                      // something the user should know, e.g. a damaged checkpoint passed over
    Action<string, int, int>? StageProgress = null);     // (stage, done, total): PatchCore's coreset picks and test images scored

/// <param name="Evaluations">Every test-set evaluation of the run, during training and after the last epoch (whose
/// metrics are <paramref name="Report"/>'s).</param>
public sealed record ExperimentResult(TrainingState State, EvaluationReport? Report, IReadOnlyList<TestEvaluation> Evaluations)
{
    /// <summary>The evaluation the official code would keep as <c>ckpt_best</c>: chosen on the test set.</summary>
    public TestEvaluation? BestOnTest => TestEvaluation.BestOnTest(Evaluations);
}

/// <summary>Extract (or reuse cached) features, train (or continue training), evaluate, and write the <see cref="RunFolder"/>:
/// config and dataset, checkpoint, history, the test-set evaluations during training, and the final results and anomaly maps.
/// A PatchCore config runs <see cref="PatchCoreRun"/> instead, into the same folder layout.</summary>
public static class Experiment
{
    public static ExperimentResult Run(ExperimentRequest request, ExperimentHooks hooks, CancellationToken cancel = default)
    {
        var (config, dataset, run) = (ConfigRules.Check(request.Config), request.Dataset, new RunFolder(request.OutputDirectory));
        var train = dataset.Train;
        if (train.Count == 0) throw new DatasetException($"the dataset in {dataset.Root} has no training images");
        Directory.CreateDirectory(run.Folder);
        if (run.HoldsRun && !request.Resume)
            throw new ConflictException($"{run} already holds a run ({(File.Exists(run.MemoryBank) ? RunFolder.MemoryBankFile : RunFolder.CheckpointFile)}): " +
                "resume it or choose another output folder");
        if (config.Method == Method.Patchcore) return PatchCoreRun.Run(request, config, run, hooks, cancel);

        using var extractor = new FeatureExtractor(config.Backbone, request.Device);
        var cache = run.FeatureCache(request.FeatureCacheDirectory);
        using var trainFeatures = CachedFeatures(extractor, cache, train, "train", config, dataset.Version, hooks, cancel);

        using var trainer = Checkpoint.Exists(run.Checkpoint)
            ? ResumeMatching(run.Checkpoint, config, extractor.Fingerprint, request.Device, hooks)
            : Trainer.Start(config, extractor.Channels, extractor.GridHeight, extractor.GridWidth, extractor.Fingerprint, request.Device);
        run.WriteRunFiles(trainer.Config, dataset);
        using var testing = dataset.Test.Count == 0 ? null
            : new TestSetEvaluation(extractor, cache, dataset, config, run, request.Device, hooks, cancel);

        // The test set during training: a check every few epochs; after the last, everything, saved as the run's results.
        EvaluationReport? finalReport = null;
        TestEvaluation Evaluate(UniadModel model, int epoch, bool final)
        {
            TestEvaluation evaluation;
            if (final) (finalReport, evaluation) = testing!.EvaluateAndSave(model, epoch);
            else evaluation = testing!.Check(model, epoch);
            hooks.TestEvaluated?.Invoke(evaluation);
            return evaluation;
        }

        trainer.Train(trainFeatures, new TrainingHooks(run.Checkpoint, hooks.Training, summary =>
        {
            run.WriteHistory(trainer.State.History);
            if (trainer.State.TestEvaluations.Count > 0) run.WriteEvaluations(trainer.State.TestEvaluations);
            hooks.EpochFinished?.Invoke(summary);
        }, testing is null ? null : (model, epoch) => Evaluate(model, epoch, final: epoch == config.Training.Epochs)), cancel);

        if (testing is null) return new ExperimentResult(trainer.State, null, []);
        var evaluations = trainer.State.TestEvaluations.ToList();
        if (finalReport is null)                            // nothing left to train (a finished run resumed): evaluate it again
        {
            int epoch = trainer.State.CompletedEpochs;
            evaluations = [.. evaluations.Where(e => e.Epoch != epoch), Evaluate(trainer.Model, epoch, final: true)];
            run.WriteEvaluations(evaluations);
        }
        return new ExperimentResult(trainer.State, finalReport, evaluations);
    }

    /// <summary>The aligned features of <paramref name="samples"/> from the cache, extracted and stored first when they are
    /// not there; <paramref name="stage"/> names them in the progress reports.</summary>
    internal static Tensor CachedFeatures(FeatureExtractor extractor, FeatureCache cache, IReadOnlyList<AnomalySample> samples,
        string stage, UniadConfig config, string? datasetVersion, ExperimentHooks hooks, CancellationToken cancel)
    {
        bool half = config.Training.CacheFeaturesHalf;
        var key = FeatureCache.Key(extractor.Fingerprint, samples, half, datasetVersion);
        return cache.GetOrCompute(key, () => extractor.Extract(samples, config.Training.BatchSize, half,
            hooks.ImagesProcessed is null ? null : new SynchronousProgress<int>(done => hooks.ImagesProcessed(stage, done, samples.Count)), cancel));
    }

    /// <summary>Resumes with the checkpoint's own config. The request may change only the number of epochs; the
    /// engine behaviour switches are the checkpoint's, since they keep an old run's numbers (docs/model.md).</summary>
    private static Trainer ResumeMatching(string checkpointPath, UniadConfig config, string fingerprint, Device device, ExperimentHooks hooks)
    {
        var checkpoint = Checkpoint.LoadLatestGood(checkpointPath, out var fellBack);
        if (fellBack is not null) hooks.Warning?.Invoke(fellBack);
        RequireSameRun(checkpoint.Config, config, checkpointPath);
        if (checkpoint.State.FeatureFingerprint != fingerprint)
            throw new ConflictException($"the checkpoint in {checkpointPath} was trained on features of another backbone or weights file");
        return Trainer.Resume(checkpoint, device, config.Training.Epochs);
    }

    /// <summary>The config a resumed run goes on with: its checkpoint's (or memory bank's), with <paramref name="epochs"/> when
    /// given. A config the user asked for as well must agree with it but for the epochs; the keys that differ are named.
    /// Cheap: callers check this before extracting any feature.</summary>
    public static UniadConfig ResumeConfig(RunFolder run, UniadConfig? requested, int? epochs)
    {
        string path = File.Exists(run.MemoryBank) ? run.MemoryBank : run.Checkpoint;
        UniadConfig stored;
        if (path == run.Checkpoint) stored = Checkpoint.LoadLatestGood(path, out _).Config;
        else using (var bank = MemoryBank.Load(path)) stored = bank.Config;
        if (requested is not null) RequireSameRun(stored, requested, path);
        int total = epochs ?? requested?.Training.Epochs ?? stored.Training.Epochs;
        return stored with { Training = stored.Training with { Epochs = total } };
    }

    internal static void RequireSameRun(UniadConfig stored, UniadConfig requested, string checkpointPath)
    {
        var run = stored.ForNewRun() with { Training = stored.ForNewRun().Training with { Epochs = requested.Training.Epochs } };
        var differences = ConfigDiff.Differences(run, requested.ForNewRun());
        if (differences.Count > 0)
            throw new ConflictException($"the checkpoint in {checkpointPath} was trained with a different config " +
                $"({string.Join(", ", differences.Select(d => $"{d.Key}: {d.Left ?? "absent"} in the run, {d.Right ?? "absent"} now"))}); " +
                "only the number of epochs may change when resuming");
    }
}

/// <summary>IProgress that reports on the calling thread (System.Progress posts to the thread pool).</summary>
public sealed class SynchronousProgress<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}
