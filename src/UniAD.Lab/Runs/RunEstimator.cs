using Microsoft.EntityFrameworkCore;
using UniAD.Core.Configuration;
using UniAD.Datasets;
using UniAD.Lab.Persistence;

namespace UniAD.Lab.Runs;

/// <summary>How long a run will train, from the speed (training images per second) that finished runs of the same
/// model shape reached on the same device: measured, not guessed. Feature extraction is not included.</summary>
public sealed class RunEstimator(IDbContextFactory<LabDbContext> databases)
{
    private const int RecentRuns = 200;

    public sealed record Estimate(TimeSpan Training, double ImagesPerSecond, int TrainImages, int BasedOnRuns);

    /// <returns>Null when no finished run of this shape on this device exists yet.</returns>
    public async Task<Estimate?> EstimateAsync(RunRequest request, CancellationToken cancel = default)
    {
        await using var db = await databases.CreateDbContextAsync(cancel);
        var dataset = await db.Datasets.FindAsync([request.DatasetId], cancel);
        if (dataset is null) return null;
        var counts = DatasetVersion.Open(dataset.Folder).Report.Categories
            .Where(c => request.Categories is not { Count: > 0 } chosen || chosen.Contains(c.Category));
        int trainImages = counts.Sum(c => c.Train);
        string shape = Shape(request.Config);
        var speeds = (await db.Runs.AsNoTracking()
                .Where(r => r.Status == RunStatus.Finished && r.Device == request.Device && r.ImagesPerSecond != null)
                .OrderByDescending(r => r.Id).Take(RecentRuns).Select(r => new { r.ConfigJson, r.ImagesPerSecond }).ToListAsync(cancel))
            .Where(r => Shape(UniadConfig.FromJson(r.ConfigJson)) == shape).Select(r => r.ImagesPerSecond!.Value).Order().ToList();
        if (speeds.Count == 0 || trainImages == 0) return null;
        double median = speeds[speeds.Count / 2];
        return new Estimate(TimeSpan.FromSeconds(request.Config.Training.Epochs * trainImages / median), median, trainImages, speeds.Count);
    }

    /// <summary>What decides the speed of a training step: backbone taps and input size, the transformer, batch size.</summary>
    private static string Shape(UniadConfig c) =>
        $"{c.Backbone.Kind}|{string.Join(',', c.Backbone.OutLayers)}|{string.Join(',', c.Backbone.InputSize)}|{System.Text.Json.JsonSerializer.Serialize(c.Model)}|{c.Training.BatchSize}";
}
