using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using UniAD.Core.Training;
using UniAD.Lab.Persistence;

namespace UniAD.Lab.Runs;

/// <summary>Turns a job's training hooks into live events (every step) and database writes in batches (at most
/// every <see cref="FlushInterval"/>): the job never holds a transaction while it trains.</summary>
internal sealed class ProgressRecorder(int runId, string runFolder, IDbContextFactory<LabDbContext> databases, RunEvents events)
{
    private static readonly TimeSpan FlushInterval = TimeSpan.FromSeconds(2);
    private readonly Stopwatch _sinceFlush = Stopwatch.StartNew();
    private readonly List<EpochRecord> _pendingEpochs = [];
    private int _logged;
    private LiveProgress _latest = new("starting", 0, 0, 0, 0, null, null, null, null);

    public ExperimentHooks Hooks => new(
        ImagesProcessed: (stage, done, total) =>
        {
            if (done == total) RunLog.Append(runFolder, $"{stage} features ready for {total} images");
            Update(_latest with { Phase = $"extracting {stage} features ({done}/{total})" });
        },
        Training: new SynchronousProgress<TrainingProgress>(p => Update(new LiveProgress("training", p.Epoch, p.Epochs, p.Step,
            p.StepsPerEpoch, p.Loss, p.LearningRate, p.ImagesPerSecond, p.Remaining))),
        EpochFinished: Add);

    /// <summary>Writes the whole history a finished training reports, so epochs trained before a cancellation or
    /// crash (and not yet flushed) are in the database too.</summary>
    public void Complete(IEnumerable<EpochSummary> history)
    {
        foreach (var epoch in history) Add(epoch);
        Flush();
    }

    private void Add(EpochSummary e)
    {
        if (_pendingEpochs.All(p => p.Epoch != e.Epoch) && e.Epoch > _logged)
        {
            RunLog.Append(runFolder, FormattableString.Invariant($"epoch {e.Epoch}: loss {e.MeanLoss:F5}, lr {e.LearningRate:G3}, {e.Seconds:F1} s"));
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

    /// <summary>Writes the latest progress and the epochs finished since the last write, in one short transaction.</summary>
    public void Flush()
    {
        _sinceFlush.Restart();
        using var db = databases.CreateDbContext();
        var run = db.Runs.Single(r => r.Id == runId);
        (run.Epoch, run.TotalEpochs, run.Step, run.StepsPerEpoch) = (_latest.Epoch, _latest.Epochs, _latest.Step, _latest.StepsPerEpoch);
        (run.Loss, run.LearningRate, run.ImagesPerSecond, run.RemainingSeconds) =
            (_latest.Loss, _latest.LearningRate, _latest.ImagesPerSecond, _latest.Remaining?.TotalSeconds);
        var known = db.Epochs.Where(e => e.RunId == runId).Select(e => e.Epoch).ToHashSet();
        db.Epochs.AddRange(_pendingEpochs.Where(e => known.Add(e.Epoch)));          // each epoch once, even when reported again
        db.SaveChanges();
        _pendingEpochs.Clear();
    }
}
