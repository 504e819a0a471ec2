using UniAD.Core;

namespace UniAD.Lab.Web.Extensions;

/// <summary>The web lab's own job servers, one per queue of <c>Lab:Workers</c> (the storage is registered with the
/// application layer, <see cref="LabServices.AddLabJobStorage"/>). It trains one run at a time (<c>Lab:Workers:training</c>
/// = 1, the default), or none (0: training is left to worker processes): TorchSharp's random generator is process-wide,
/// so two trainings in one process would share it and neither would be reproducible.</summary>
public static class LabJobExtensions
{
    /// <exception cref="ConfigException">More than one training at once asked of the lab's own process.</exception>
    public static void AddLabJobs(this WebApplicationBuilder builder)
    {
        var options = builder.Configuration.GetSection(LabOptions.Section).Get<LabOptions>() ?? new LabOptions();
        int training = options.Workers.GetValueOrDefault(Queues.Training, 1);
        if (training > 1)
            throw new ConfigException($"Lab:Workers:training is {training}, but the lab trains at most one run at a time in its own process " +
                "(TorchSharp's random generator is process-wide, and runs sharing it are not reproducible); for more at once, start a " +
                "worker beside it (src/UniAD.Lab.Worker, README \"Team deployment\"): it trains on every GPU, one process each");
        if (training == 1) builder.Services.AddLabTraining([Queues.Training], 1);
        foreach (var (queue, workers) in options.Workers.Where(q => q.Key != Queues.Training && q.Value > 0))
            builder.Services.AddLabJobServer([queue], workers);
    }
}
