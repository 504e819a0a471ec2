using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace UniAD.Lab.Workers;

/// <summary>The queues this process trains runs from, and how many at once (its <see cref="TrainingServer"/>'s workers).</summary>
public sealed record TrainingQueues(IReadOnlyList<string> Names, int WorkerCount);

/// <summary>In every process that trains: registers it as a worker before its job server takes a run, says every
/// <see cref="WorkerOptions.HeartbeatSeconds"/> that it is alive (and hears whether an admin drained it), and records a
/// graceful stop.</summary>
public sealed class WorkerHeartbeat(WorkerRegistry registry, TrainingQueues queues, TrainingServer server, IOptions<LabOptions> options,
    ILogger<WorkerHeartbeat> logger)
    : BackgroundService
{
    public override async Task StartAsync(CancellationToken cancel)
    {
        await registry.RegisterAsync(queues.Names, cancel);
        logger.LogInformation("Worker {Worker} trains runs from {Queues}", WorkerRegistry.ThisProcess, string.Join(", ", queues.Names));
        await base.StartAsync(cancel);
    }

    protected override async Task ExecuteAsync(CancellationToken stop)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(options.Value.Worker.HeartbeatSeconds));
        try
        {
            while (await timer.WaitForNextTickAsync(stop))
            {
                try { server.TakeRuns(!await registry.BeatAsync(stop)); }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    logger.LogWarning(e, "The heartbeat of worker {Worker} could not be written; trying again", WorkerRegistry.ThisProcess);
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested) { }
    }

    public override async Task StopAsync(CancellationToken cancel)
    {
        await base.StopAsync(cancel);
        // A database already gone (stopped first) must not turn a clean stop into a crash: the Workers page then shows
        // this process silent, and then gone, as it would after a kill.
        try { await registry.StoppedAsync(cancel); }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogWarning(e, "Worker {Worker} could not record its stop; it will show as silent", WorkerRegistry.ThisProcess);
        }
    }
}
