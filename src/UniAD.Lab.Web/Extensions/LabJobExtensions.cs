using Hangfire;
using UniAD.Core.Configuration;

namespace UniAD.Lab.Web.Extensions;

/// <summary>The web lab's own job servers: one Hangfire server per queue, so each has its own worker count (the storage
/// is registered with the application layer, <see cref="LabServices.AddLabJobStorage"/>).</summary>
public static class LabJobExtensions
{
    public static void AddLabJobs(this WebApplicationBuilder builder)
    {
        var options = builder.Configuration.GetSection(LabOptions.Section).Get<LabOptions>() ?? new LabOptions();
        foreach (var (queue, configured) in options.Workers)
        {
            int workers = configured > 0 ? configured : queue == Queues.Training ? DeviceSelector.GpuCount(options.Device) : 1;
            builder.Services.AddHangfireServer(server =>
            {
                server.ServerName = $"{Environment.MachineName}:{queue}";
                server.Queues = [queue];
                server.WorkerCount = workers;
            });
        }
    }
}
