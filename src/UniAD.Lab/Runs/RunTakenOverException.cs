using UniAD.Lab.Persistence;
using UniAD.Lab.Workers;

namespace UniAD.Lab.Runs;

/// <summary>The run this process was training is no longer its own: it was taken for dead (its heartbeat was late) and
/// the run was marked interrupted, or resumed on another worker. It stops without writing, so a run never trains twice.</summary>
public sealed class RunTakenOverException(RunRecord run) : Exception(
    $"run {run.Id} is no longer this worker's ({WorkerRegistry.ThisProcess}): it is {run.Status.ToString().ToLowerInvariant()}" +
    (run.Worker is { } other && other != WorkerRegistry.ThisProcess ? $" on {other}" : "") + "; this worker stops training it");
