using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using UniAD.Core.Evaluation;
using UniAD.Core.PatchCore;
using UniAD.Core.Training;
using UniAD.Lab.Persistence;
using UniAD.Lab.Workers;

namespace UniAD.Lab.Runs;

/// <summary>Turns a job's training hooks into live events (every step) and database writes in batches: at the first
/// report once <see cref="FlushInterval"/> has passed since the last write, right after each test evaluation, and
/// when the run ends. The job never holds a transaction while it trains.</summary>
internal sealed class ProgressRecorder(int runId, RunFolder runFolder, IDbContextFactory<LabDbContext> databases, RunEvents events,
    ResourceSampler resources)
{
    private static readonly TimeSpan FlushInterval = TimeSpan.FromSeconds(2);
    public int RunId => runId;
    private readonly Stopwatch _sinceFlush = Stopwatch.StartNew();
    private readonly List<EpochRecord> _pendingEpochs = [];
    private readonly List<TestEvaluationRecord> _pendingEvaluations = [];
    private readonly HashSet<int> _evaluatedEpochs = [];
    private int _logged;
    private LiveProgress _latest = new("starting", 0, 0, 0, 0, null, null, null, null);

    public ExperimentHooks Hooks => new(
        ImagesProcessed: (stage, done, total) =>
        {
            if (done == total) runFolder.AppendLog($"{stage} features ready for {total} images");
            Update(_latest with { Phase = $"extracting {stage} features ({done}/{total})" });
        },
        Training: new SynchronousProgress<TrainingProgress>(p => Update(new LiveProgress("training", p.Epoch, p.Epochs, p.Step,
            p.StepsPerEpoch, p.Loss, p.LearningRate, p.ImagesPerSecond, p.Remaining))),
        EpochFinished: Add,
        Warning: warning => runFolder.AppendLog($"warning: {warning}"),
        StageProgress: (stage, done, total) =>
        {
            if (done == total) runFolder.AppendLog(stage == PatchCoreRun.CoresetStage ? $"coreset of {total} patches picked" : $"{total} test images scored");
            Update(_latest with { Phase = stage == PatchCoreRun.CoresetStage ? $"selecting the coreset ({done:N0}/{total:N0} patches)" : $"scoring test images ({done}/{total})" });
        },
        TestEvaluated: evaluation =>
        {
            Add(evaluation);
            Flush();                                        // rare (every few epochs), and the page's curve should show it now
        });

    /// <summary>Writes the whole history and every test evaluation a finished training reports, so epochs trained before
    /// a cancellation or crash (and not yet flushed) are in the database too.</summary>
    public void Complete(ExperimentResult result)
    {
        foreach (var epoch in result.State.History) Add(epoch);
        foreach (var evaluation in result.Evaluations) Add(evaluation);
        Flush();
    }

    private void Add(TestEvaluation e)
    {
        if (!_evaluatedEpochs.Add(e.Epoch)) return;         // reported live, then again in the finished run's list
        runFolder.AppendLog(FormattableString.Invariant(
            $"test after epoch {e.Epoch}: mean image AUROC {100 * e.Mean.ImageAuroc:F1}, pixel AUROC {100 * e.Mean.PixelAuroc:F1}, identity pass-through {e.PassThrough:F3}"));
        _pendingEvaluations.AddRange(e.Categories.Select(c => Row(c, false)).Append(Row(e.Mean, true)));
        TestEvaluationRecord Row(CategoryMetrics m, bool mean) => new()
        {
            RunId = runId, Epoch = e.Epoch, Category = mean ? CategoryResult.MeanRow : m.Category, IsMean = mean,
            ImageAuroc = m.ImageAuroc, PixelAuroc = m.PixelAuroc, PassThrough = mean ? e.PassThrough : null,
        };
    }

    private void Add(EpochSummary e)
    {
        if (_pendingEpochs.All(p => p.Epoch != e.Epoch) && e.Epoch > _logged)
        {
            runFolder.AppendLog(FormattableString.Invariant($"epoch {e.Epoch}: loss {e.MeanLoss:F5}, lr {e.LearningRate:G3}, {e.Seconds:F1} s"));
            _logged = e.Epoch;
        }
        _pendingEpochs.Add(new EpochRecord { RunId = runId, Epoch = e.Epoch, Loss = e.MeanLoss, LearningRate = e.LearningRate, Seconds = e.Seconds });
    }

    private void Update(LiveProgress progress)
    {
        _latest = progress;
        events.Report(runId, progress);
        if (_sinceFlush.Elapsed >= FlushInterval) Flush();
    }

    /// <summary>Adds the resources sampled since the last write, the run's peaks and its training-job time so far.</summary>
    /// <param name="final">Take a last sample first: the job's execution ends.</param>
    public void RecordResources(LabDbContext db, RunRecord run, bool final = false)
    {
        if (final) resources.Sample();
        var samples = resources.Drain();                    // the peaks are those of the samples stored, by construction
        db.ResourceSamples.AddRange(samples);
        run.Cost.PeakMemoryBytes = Max(run.Cost.PeakMemoryBytes, samples.Select(s => (long?)s.MemoryBytes));
        run.Cost.PeakGpuMemoryBytes = Max(run.Cost.PeakGpuMemoryBytes, samples.Select(s => s.GpuMemoryBytes));
        run.Cost.WallSeconds = resources.Seconds;
    }

    private static long? Max(long? stored, IEnumerable<long?> sampled) => sampled.Append(stored).Max();

    /// <summary>Writes the latest progress, the epochs finished and the resources sampled since the last write, and the
    /// training-job time so far, in one short transaction.</summary>
    public void Flush()
    {
        _sinceFlush.Restart();
        using var db = databases.CreateDbContext();
        var run = db.Runs.Single(r => r.Id == runId);
        // Another worker has it now (this one was taken for dead and the run resumed elsewhere): this one must not write.
        if (run.Status != RunStatus.Running || run.Worker != WorkerRegistry.ThisProcess) throw new RunTakenOverException(run);
        run.Progress = new RunProgress
        {
            Epoch = _latest.Epoch, TotalEpochs = _latest.Epochs, Step = _latest.Step, StepsPerEpoch = _latest.StepsPerEpoch, Loss = _latest.Loss,
            LearningRate = _latest.LearningRate, ImagesPerSecond = _latest.ImagesPerSecond, RemainingSeconds = _latest.Remaining?.TotalSeconds,
        };
        var known = db.Epochs.Where(e => e.RunId == runId).Select(e => e.Epoch).ToHashSet();
        db.Epochs.AddRange(_pendingEpochs.Where(e => known.Add(e.Epoch)));          // each epoch once, even when reported again
        var evaluated = db.TestEvaluations.Where(e => e.RunId == runId && e.IsMean).Select(e => e.Epoch).ToHashSet();
        db.TestEvaluations.AddRange(_pendingEvaluations.Where(e => !evaluated.Contains(e.Epoch)));
        RecordResources(db, run);
        db.SaveChanges();
        _pendingEpochs.Clear();
        _pendingEvaluations.Clear();
    }
}
