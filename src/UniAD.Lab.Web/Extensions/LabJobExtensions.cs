using UniAD.Core.Configuration;

namespace UniAD.Lab.Web.Extensions;

/// <summary>The web lab's own job servers, one per queue of <c>Lab:Workers</c> (the storage is registered with the
/// application layer, <see cref="LabServices.AddLabJobStorage"/>). It trains on one worker per GPU (one on a CPU) unless
/// <c>Lab:Workers:training</c> says how many: 0 leaves training to worker processes.</summary>
public static class LabJobExtensions
{
    public static void AddLabJobs(this WebApplicationBuilder builder)
    {
        var options = builder.Configuration.GetSection(LabOptions.Section).Get<LabOptions>() ?? new LabOptions();
        int training = options.Workers.TryGetValue(Queues.Training, out int configured) ? configured : DeviceSelector.GpuCount(options.Device);
        if (training > 0) builder.Services.AddLabTraining([Queues.Training], training);
        foreach (var (queue, workers) in options.Workers.Where(q => q.Key != Queues.Training && q.Value > 0))
            builder.Services.AddLabJobServer([queue], workers);
    }
}
