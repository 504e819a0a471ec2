using System.Diagnostics;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace UniAD.Lab.Worker;

/// <summary>In a worker process another started (<see cref="WorkerProcesses"/>): once that parent is gone (killed, so it
/// could not pass its stop on), this one stops too, handing its run back, rather than train on unsupervised.</summary>
public sealed class ParentWatch(int parentId, IHostApplicationLifetime lifetime, ILogger<ParentWatch> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stop)
    {
        var parentStarted = StartOf(parentId);
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
        try
        {
            while (await timer.WaitForNextTickAsync(stop))
            {
                if (parentStarted is not null && StartOf(parentId) == parentStarted) continue;
                logger.LogWarning("The worker that started this process ({Parent}) is gone: stopping", parentId);
                lifetime.StopApplication();
                return;
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested) { }
    }

    /// <summary>When the process of that id started (another process may take the id once it is gone); null when none has it.</summary>
    private static DateTime? StartOf(int processId)
    {
        try
        {
            using var process = Process.GetProcessById(processId);
            return process.HasExited ? null : process.StartTime;
        }
        catch (ArgumentException) { return null; }
        catch (InvalidOperationException) { return null; }
    }
}
