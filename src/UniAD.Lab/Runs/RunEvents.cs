using System.Collections.Concurrent;

namespace UniAD.Lab.Runs;

/// <summary>Where a running job stands right now, before it reaches the database.</summary>
public sealed record LiveProgress(
    string Phase, int Epoch, int Epochs, int Step, int StepsPerEpoch, double? Loss, double? LearningRate,
    double? ImagesPerSecond, TimeSpan? Remaining);

/// <summary>In-process notifications from training jobs to open pages (each Blazor circuit subscribes), so a run's
/// page updates live without polling the database at step rate.</summary>
public sealed class RunEvents
{
    private readonly ConcurrentDictionary<int, LiveProgress> _latest = new();

    /// <summary>Raised with the run's id after its progress or status changed. Handlers must return quickly.</summary>
    public event Action<int>? Changed;

    public LiveProgress? Latest(int runId) => _latest.GetValueOrDefault(runId);

    public void Report(int runId, LiveProgress progress)
    {
        _latest[runId] = progress;
        Changed?.Invoke(runId);
    }

    public void Ended(int runId)
    {
        _latest.TryRemove(runId, out _);
        Changed?.Invoke(runId);
    }
}
