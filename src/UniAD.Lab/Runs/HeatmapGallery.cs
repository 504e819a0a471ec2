using System.Collections.Concurrent;
using UniAD.Core.Configuration;
using UniAD.Core.Data;
using UniAD.Core.Evaluation;
using UniAD.Core.Model;
using UniAD.Core.Training;
using UniAD.Datasets;
using UniAD.Lab.Persistence;
using static TorchSharp.torch;

namespace UniAD.Lab.Runs;

/// <summary>One test image of a finished run, with its image score (by the run's own image-score rule).</summary>
public sealed record GalleryTile(int Index, string Key, string Category, string Label, bool IsAnomalous, float Score);

/// <summary>A finished run's test images and the colour scale shared by all of them.</summary>
public sealed record GalleryContents(IReadOnlyList<GalleryTile> Tiles, float Low, float High, string ImageScore);

/// <summary>Heatmaps of a finished run's test images from its saved anomaly maps: one global colour scale per run
/// by default (per-image min–max only on request, because it makes normal images look defective), the ground-truth
/// contour, and the image score of each. Loaded once per run and kept in memory while the lab runs.</summary>
public sealed class HeatmapGallery(RunQueries queries)
{
    public const int TileSide = 256;
    private readonly ConcurrentDictionary<int, Lazy<Task<Loaded?>>> _runs = new();

    private sealed record Loaded(GalleryContents Contents, IReadOnlyList<AnomalySample> Samples, Tensor Maps);

    public async Task<GalleryContents?> ContentsAsync(int runId) => (await LoadAsync(runId))?.Contents;

    /// <summary>The tile as PNG, or null when the run or the index does not exist.</summary>
    public async Task<byte[]?> TileAsync(int runId, int index, bool perImageScale)
    {
        var loaded = await LoadAsync(runId);
        if (loaded is null || index < 0 || index >= loaded.Samples.Count) return null;
        var sample = loaded.Samples[index];
        using var map = loaded.Maps[index, 0];
        var (low, high) = perImageScale ? (map.min().item<float>(), map.max().item<float>()) : (loaded.Contents.Low, loaded.Contents.High);
        return await Task.Run(() => HeatmapOverlay.RenderPng(sample.ImagePath, map, low, high, sample.MaskPath, TileSide));
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
        var mapsFile = run is null ? null : Path.Combine(run.Folder, Experiment.AnomalyMapsFile);
        if (run?.Status != RunStatus.Finished || !File.Exists(mapsFile)) return null;
        return await Task.Run<Loaded?>(() =>
        {
            var config = UniadConfig.FromJson(run.ConfigJson);
            var classFolder = run.NormalClasses.Length > 0 ? ClassFolderOptions.Parse([run.NormalClasses]) : null;
            var stored = AnomalyMapArchive.Load(mapsFile);
            var test = DatasetVersion.Open(run.Dataset!.Folder).Load(classFolder).Test.Where(s => stored.ContainsKey(s.Key)).ToList();
            var maps = UniadModel.UpsampleMap(stack(test.Select(s => stored[s.Key]).ToArray()), config.Backbone.InputSize[0], config.Backbone.InputSize[1]);
            foreach (var m in stored.Values) m.Dispose();
            var scores = ImageScore.Compute(maps, config.Evaluation.ImageScore, config.Evaluation.AvgPoolKernel).data<float>().ToArray();
            var tiles = test.Select((s, i) => new GalleryTile(i, s.Key, s.Category, s.IsAnomalous ? s.DefectType : "good", s.IsAnomalous, scores[i])).ToList();
            var contents = new GalleryContents(tiles, maps.min().item<float>(), maps.max().item<float>(),
                ImageScore.Describe(config.Evaluation.ImageScore, config.Evaluation.AvgPoolKernel));
            return new Loaded(contents, test, maps);
        });
    }
}
