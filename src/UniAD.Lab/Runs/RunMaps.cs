using System.Collections.Concurrent;
using UniAD.Core.Configuration;
using UniAD.Core.Data;
using UniAD.Core.Evaluation;
using UniAD.Core.Model;
using UniAD.Core.PatchCore;
using UniAD.Core.Training;
using UniAD.Datasets;
using UniAD.Lab.Persistence;
using static TorchSharp.torch;

namespace UniAD.Lab.Runs;

/// <summary>One test image of a finished run, with its image score (by the run's own image-score rule).</summary>
public sealed record GalleryTile(int Index, string Key, string Category, string Label, bool IsAnomalous, float Score);

/// <summary>Image-level metrics of one category under a chosen image score.</summary>
public sealed record ImageMetrics(string Category, double Auroc, double AveragePrecision, double F1Max);

/// <summary>A finished run's test images and the colour scale shared by all of them.</summary>
public sealed record GalleryContents(IReadOnlyList<GalleryTile> Tiles, float Low, float High, string ImageScore);

/// <summary>A finished run's saved anomaly maps, loaded once and kept in memory while the lab runs: heatmap tiles on
/// one global colour scale per run (per-image min–max only on request, because it makes normal images look
/// defective) with the ground-truth contour, and image metrics recomputed with another image score, no retraining.</summary>
public sealed class RunMaps(RunQueries queries)
{
    public const int TileSide = 256;
    private readonly ConcurrentDictionary<int, Lazy<Task<Loaded?>>> _runs = new();

    private sealed record Loaded(GalleryContents Contents, IReadOnlyList<AnomalySample> Samples, Tensor Maps, RunFolder Folder);

    public async Task<GalleryContents?> ContentsAsync(int runId) => (await LoadAsync(runId))?.Contents;

    /// <summary>The tile as PNG, or null when the run or the index does not exist. The colour scale is the run's own, the
    /// image's own min–max (<paramref name="perImageScale"/>), or one given for several runs shown side by side.</summary>
    public async Task<byte[]?> TileAsync(int runId, int index, bool perImageScale, (float Low, float High)? scale = null)
    {
        var loaded = await LoadAsync(runId);
        if (loaded is null || index < 0 || index >= loaded.Samples.Count) return null;
        var sample = loaded.Samples[index];
        using var map = loaded.Maps[index, 0];
        var (low, high) = perImageScale ? (map.min().item<float>(), map.max().item<float>()) : scale ?? (loaded.Contents.Low, loaded.Contents.High);
        return await Task.Run(() => HeatmapOverlay.RenderPng(sample.ImagePath, map, low, high, sample.MaskPath, TileSide));
    }

    /// <summary>Run B's map minus run A's on the same test image (by key), as PNG on the scale ±<paramref name="limit"/>
    /// (0: this image's largest difference), with A's ground-truth contour; null when either run or the image is missing.
    /// Maps of different sizes are compared at the larger one.</summary>
    public async Task<byte[]?> DifferenceAsync(int runA, int runB, string key, float limit)
    {
        var (a, b) = (await LoadAsync(runA), await LoadAsync(runB));
        int i = a?.Contents.Tiles.FirstOrDefault(t => t.Key == key)?.Index ?? -1, j = b?.Contents.Tiles.FirstOrDefault(t => t.Key == key)?.Index ?? -1;
        if (i < 0 || j < 0) return null;
        var sample = a!.Samples[i];
        return await Task.Run(() =>
        {
            using var scope = NewDisposeScope();
            long height = Math.Max(a.Maps.shape[^2], b!.Maps.shape[^2]), width = Math.Max(a.Maps.shape[^1], b.Maps.shape[^1]);
            var difference = UniadModel.UpsampleMap(b.Maps[j..(j + 1)], (int)height, (int)width) - UniadModel.UpsampleMap(a.Maps[i..(i + 1)], (int)height, (int)width);
            float scale = limit > 0 ? limit : difference.abs().max().item<float>();
            return HeatmapOverlay.RenderDifferencePng(sample.ImagePath, difference[0, 0], scale, sample.MaskPath, TileSide);
        });
    }

    /// <summary>Image AUROC, AP and F1-max per category (and their mean, last) with <paramref name="kind"/> as the image
    /// score: the paper's max of the k×k average-pooled map, the mean, or the standard deviation.</summary>
    public async Task<IReadOnlyList<ImageMetrics>?> RescoreAsync(int runId, ImageScoreKind kind, int avgPoolKernel)
    {
        var loaded = await LoadAsync(runId);
        if (loaded is null) return null;
        int largest = (int)Math.Min(loaded.Maps.shape[^2], loaded.Maps.shape[^1]);        // a pool cannot exceed the map
        return Metrics(loaded, ImageScore.Compute(loaded.Maps, kind, Math.Clamp(avgPoolKernel, 1, largest)).data<float>().ToArray());
    }

    /// <summary>The same with one of PatchCore's image scores, which the run saved for every test image; null when the
    /// run has none (a UniAD run).</summary>
    public async Task<IReadOnlyList<ImageMetrics>?> RescoreAsync(int runId, PatchImageScore kind)
    {
        var loaded = await LoadAsync(runId);
        var scores = loaded is null ? null : PatchScores(loaded.Folder, loaded.Samples, kind);
        return scores is null ? null : Metrics(loaded!, scores);
    }

    private static float[]? PatchScores(RunFolder folder, IReadOnlyList<AnomalySample> samples, PatchImageScore kind) =>
        folder.ReadImageScores(PatchCoreRun.RuleName(kind)) is { } byKey ? [.. samples.Select(s => byKey[s.Key])] : null;

    private static List<ImageMetrics> Metrics(Loaded loaded, float[] scores)
    {
        var rows = loaded.Contents.Tiles.GroupBy(t => t.Category).Where(g => g.Any(t => t.IsAnomalous) && g.Any(t => !t.IsAnomalous))
            .Select(g =>
            {
                var ranking = new ScoreRanking(g.Select(t => scores[t.Index]).ToArray(), g.Select(t => t.IsAnomalous).ToArray());
                return new ImageMetrics(g.Key, ranking.Auroc, ranking.AveragePrecision, ranking.F1Max.F1);
            }).ToList();
        if (rows.Count == 0) return rows;
        return [.. rows, new ImageMetrics(Persistence.CategoryResult.MeanRow, rows.Average(r => r.Auroc), rows.Average(r => r.AveragePrecision), rows.Average(r => r.F1Max))];
    }

    private async Task<Loaded?> LoadAsync(int runId)
    {
        var lazy = _runs.GetOrAdd(runId, id => new Lazy<Task<Loaded?>>(() => ReadAsync(id)));
        var loaded = await lazy.Value;
        if (loaded is null) _runs.TryRemove(runId, out _);                  // not finished yet: look again next time
        return loaded;
    }

    private async Task<Loaded?> ReadAsync(int runId)
    {
        var run = await queries.GetAsync(runId);
        var mapsFile = run is null ? null : new RunFolder(run.Folder).AnomalyMaps;
        if (run?.Status != RunStatus.Finished || !File.Exists(mapsFile)) return null;
        return await Task.Run<Loaded?>(() =>
        {
            var config = UniadConfig.FromJson(run.Request.ConfigJson);
            var classFolder = run.Request.ClassFolder();
            var stored = AnomalyMapArchive.Load(mapsFile);
            var test = DatasetVersion.Open(run.Dataset!.Folder).Load(classFolder).Test.Where(s => stored.ContainsKey(s.Key)).ToList();
            var maps = UniadModel.UpsampleMap(stack(test.Select(s => stored[s.Key]).ToArray()), config.Backbone.InputSize[0], config.Backbone.InputSize[1]);
            foreach (var m in stored.Values) m.Dispose();
            var folder = new RunFolder(run.Folder);
            var (scores, rule) = config.Method == Method.Patchcore
                ? (PatchScores(folder, test, config.Patchcore.ImageScore)!, PatchCoreScorer.Describe(config.Patchcore))
                : (ImageScore.Compute(maps, config.Evaluation.ImageScore, config.Evaluation.AvgPoolKernel).data<float>().ToArray(),
                   ImageScore.Describe(config.Evaluation.ImageScore, config.Evaluation.AvgPoolKernel));
            var tiles = test.Select((s, i) => new GalleryTile(i, s.Key, s.Category, s.IsAnomalous ? s.DefectType : "good", s.IsAnomalous, scores[i])).ToList();
            return new Loaded(new GalleryContents(tiles, maps.min().item<float>(), maps.max().item<float>(), rule), test, maps, folder);
        });
    }
}
