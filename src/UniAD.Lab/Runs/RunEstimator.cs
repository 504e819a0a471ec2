using Microsoft.EntityFrameworkCore;
using UniAD.Core.Configuration;
using UniAD.Lab.Datasets;
using UniAD.Lab.Persistence;

namespace UniAD.Lab.Runs;

/// <summary>How long a run will train, from the speed (training images per second) that finished runs of the same
/// model shape reached on the same device: measured, not guessed. Feature extraction is not included.</summary>
public sealed class RunEstimator(IDbContextFactory<LabDbContext> databases, DatasetCatalog catalog)
{
    private const int RecentRuns = 200;

    public sealed record Estimate(TimeSpan Training, double ImagesPerSecond, int TrainImages, int BasedOnRuns);

    /// <returns>Null when no finished run of this shape on this device exists yet, or the plan has problems, or it is not
    /// UniAD's (PatchCore trains no epochs; its time is the coreset's).</returns>
    public async Task<Estimate?> EstimateAsync(RunPlan plan, CancellationToken cancel = default)
    {
        if (!plan.CanQueue || plan.Spec.DatasetId is not int datasetId || plan.Config!.Method != Method.Uniad) return null;
        var (config, device, chosen) = (plan.Config!, plan.Spec.Device, plan.Spec.Categories ?? []);
        await using var db = await databases.CreateDbContextAsync(cancel);
        var dataset = await db.Datasets.FindAsync([datasetId], cancel);
        if (dataset is null) return null;
        var counts = catalog.ReportOf(dataset).Categories.Where(c => chosen.Count == 0 || chosen.Contains(c.Category));
        int trainImages = counts.Sum(c => c.Train);
        string shape = Shape(config);
        var speeds = (await db.Runs.AsNoTracking()
                .Where(r => r.Status == RunStatus.Finished && r.Request.Device == device && r.Progress.ImagesPerSecond != null)
                .OrderByDescending(r => r.Id).Take(RecentRuns).Select(r => new { r.Request.ConfigJson, r.Progress.ImagesPerSecond }).ToListAsync(cancel))
            .Where(r => Shape(UniadConfig.FromJson(r.ConfigJson)) == shape).Select(r => r.ImagesPerSecond!.Value).Order().ToList();
        if (speeds.Count == 0 || trainImages == 0) return null;
        double median = speeds[speeds.Count / 2];
        return new Estimate(TimeSpan.FromSeconds(config.Training.Epochs * trainImages / median), median, trainImages, speeds.Count);
    }

    /// <summary>What an estimate depends on (the dataset, its categories, the device and the config), as one text: a form
    /// asks again only when it changed.</summary>
    public static string InputsOf(RunPlan plan) => plan.CanQueue
        ? $"{plan.Spec.DatasetId}|{string.Join(',', plan.Spec.Categories ?? [])}|{plan.Spec.Device}|{plan.Config!.ToJson()}"
        : "";

    /// <summary>What decides the speed of a training step: backbone taps and input size, the transformer, batch size.</summary>
    private static string Shape(UniadConfig c) =>
        $"{c.Backbone.Kind}|{string.Join(',', c.Backbone.OutLayers)}|{string.Join(',', c.Backbone.InputSize)}|{System.Text.Json.JsonSerializer.Serialize(c.Model)}|{c.Training.BatchSize}";
}
