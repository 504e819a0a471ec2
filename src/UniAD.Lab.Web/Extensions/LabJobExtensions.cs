using Hangfire;
using Hangfire.Storage.SQLite;
using UniAD.Core.Configuration;

namespace UniAD.Lab.Web.Extensions;

/// <summary>Hangfire with its own SQLite file, one server per queue so each has its own worker count, and the
/// dashboard at <c>/hangfire</c> (local requests only until the lab has accounts).</summary>
public static class LabJobExtensions
{
    public static void AddLabJobs(this WebApplicationBuilder builder)
    {
        var options = builder.Configuration.GetSection(LabOptions.Section).Get<LabOptions>() ?? new LabOptions();
        Directory.CreateDirectory(options.DataRoot);
        builder.Services.AddHangfire(hangfire => hangfire
            .UseSimpleAssemblyNameTypeSerializer()
            .UseRecommendedSerializerSettings()
            .UseSQLiteStorage(Path.GetFullPath(options.Expand(options.HangfireDatabase)), new SQLiteStorageOptions
            {
                // The storage hands a job that has run longer than this to the next free worker, aborting the first
                // (its default, 30 minutes, is shorter than most trainings). The lab recovers runs a crash left behind
                // itself (LabInitializer), so the job server never needs to.
                InvisibilityTimeout = TimeSpan.FromDays(30),
            }));
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
