using System.Collections.Concurrent;
using UniAD.Core.Data;
using UniAD.Core.Evaluation;
using UniAD.Datasets;

namespace UniAD.Lab.Datasets;

/// <summary>A stored version's images for browsing: every sample (a folder of classes unlabelled, each class its
/// own category) and each image as a small PNG with its ground-truth contour.</summary>
public sealed class DatasetBrowser(DatasetCatalog catalog)
{
    public const int TileSide = 192;
    private readonly ConcurrentDictionary<int, IReadOnlyList<AnomalySample>> _samples = new();

    public async Task<IReadOnlyList<AnomalySample>> SamplesAsync(int datasetId)
    {
        if (_samples.TryGetValue(datasetId, out var known)) return known;
        if (await catalog.FindAsync(datasetId) is not { } record) return [];
        var version = DatasetVersion.Open(record.Folder);
        var samples = DatasetLayouts.Read(version.FilesRoot, version.Manifest.LayoutKind, null, lenient: true).Samples;
        return _samples[datasetId] = samples;
    }

    public async Task<byte[]?> TileAsync(int datasetId, int index)
    {
        var samples = await SamplesAsync(datasetId);
        if (index < 0 || index >= samples.Count) return null;
        var sample = samples[index];
        return await Task.Run(() => HeatmapOverlay.RenderPng(sample.ImagePath, null, 0, 1, sample.MaskPath, TileSide));
    }
}
