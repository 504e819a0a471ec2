using Hangfire;
using Hangfire.Common;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace UniAD.Lab.Workers;

/// <summary>This process's Hangfire server for its training queues, which a drain stops taking runs without touching
/// the runs it trains. Hangfire's own hosted server cannot: its stop cancels running jobs half a second later. Here a
/// stop only stops fetching, and a training ends on its own terms: when it finishes, when its run is cancelled, or when
/// the process stops (<see cref="Runs.TrainingJob"/> watches the host and hands its run back).</summary>
public sealed class TrainingServer(IServiceProvider services, TrainingQueues queues, IHostApplicationLifetime lifetime, ILogger<TrainingServer> logger)
    : IHostedService, IDisposable
{
    private readonly Lock _gate = new();
    private BackgroundJobServer? _server;
    private readonly List<BackgroundJobServer> _stopping = [];

    /// <summary>Whether it fetches runs now (false while drained).</summary>
    public bool TakingRuns { get { lock (_gate) return _server is not null; } }

    public Task StartAsync(CancellationToken cancel)
    {
        // As the process starts to stop, not when this service's turn to stop comes: a run handed back meanwhile must
        // not be fetched again here.
        lifetime.ApplicationStopping.Register(() => TakeRuns(false));
        TakeRuns(true);
        return Task.CompletedTask;
    }

    /// <summary>Starts fetching runs again, or stops fetching them (the trainings under way go on). Once the process is
    /// stopping it takes no run again, whatever a heartbeat still under way heard about draining.</summary>
    public void TakeRuns(bool take)
    {
        lock (_gate)
        {
            _stopping.RemoveAll(Ended);
            if (take && _server is null && !lifetime.ApplicationStopping.IsCancellationRequested)
            {
                _server = new BackgroundJobServer(Options(), services.GetRequiredService<JobStorage>());
                logger.LogInformation("Worker {Worker} takes runs from {Queues}", WorkerRegistry.ThisProcess, string.Join(", ", queues.Names));
            }
            else if (!take && _server is not null)
            {
                _server.SendStop();
                _stopping.Add(_server);
                _server = null;
                logger.LogWarning("Worker {Worker} takes no new run (drained or stopping); the runs it trains go on", WorkerRegistry.ThisProcess);
            }
        }
    }

    private static bool Ended(BackgroundJobServer server)
    {
        if (!server.WaitForShutdown(TimeSpan.Zero)) return false;
        server.Dispose();
        return true;
    }

    public async Task StopAsync(CancellationToken cancel)
    {
        TakeRuns(false);
        List<BackgroundJobServer> stopping;
        lock (_gate) stopping = [.. _stopping];
        await Task.WhenAll(stopping.Select(server => server.WaitForShutdownAsync(cancel)));
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _server?.Dispose();
            foreach (var server in _stopping) server.Dispose();
        }
    }

    private BackgroundJobServerOptions Options() => new()
    {
        ServerName = $"{WorkerRegistry.ThisProcess}:{string.Join(",", queues.Names)}",
        Queues = [.. queues.Names],
        WorkerCount = queues.WorkerCount,
        // Never cancel a training from here (see the class summary); the job's own token still fires when its job is deleted.
        StopTimeout = Timeout.InfiniteTimeSpan,
        ShutdownTimeout = Timeout.InfiniteTimeSpan,
        Activator = services.GetService<JobActivator>(),
        FilterProvider = services.GetService<IJobFilterProvider>(),
        TimeZoneResolver = services.GetService<ITimeZoneResolver>(),
    };
}
