using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace UniAD.Lab.Workers;

/// <summary>The queues this process trains runs from (the host's Hangfire server for them is registered beside it).</summary>
public sealed record TrainingQueues(IReadOnlyList<string> Names);

/// <summary>In every process that trains: registers it as a worker before its job server takes a run, says every
/// <see cref="WorkerOptions.HeartbeatSeconds"/> that it is alive, and records a graceful stop.</summary>
public sealed class WorkerHeartbeat(WorkerRegistry registry, TrainingQueues queues, IOptions<LabOptions> options, ILogger<WorkerHeartbeat> logger)
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
                try { await registry.BeatAsync(stop); }
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
        await registry.StoppedAsync(cancel);
    }
}
