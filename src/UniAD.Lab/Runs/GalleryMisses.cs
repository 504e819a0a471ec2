using UniAD.Core.Evaluation;

namespace UniAD.Lab.Runs;

/// <summary>A test image the run gets wrong at its category's F1-best image threshold.</summary>
public sealed record Miss(GalleryTile Tile, bool FalsePositive, float Threshold);

/// <summary>The failure gallery: where a run goes wrong, worst first, rather than every test image.</summary>
public static class GalleryMisses
{
    /// <summary>Per category with both kinds of images, at the image-score threshold with the best F1 (an image is called
    /// anomalous when its score is at or above it): normal images called anomalous (false positives, highest score
    /// first), then anomalous images missed (false negatives, lowest score first).</summary>
    public static IReadOnlyList<Miss> AtF1Threshold(IEnumerable<GalleryTile> tiles)
    {
        var thresholds = F1Thresholds(tiles);
        return tiles.GroupBy(t => t.Category)
            .Where(g => thresholds.ContainsKey(g.Key))
            .SelectMany(g =>
            {
                float threshold = thresholds[g.Key];
                var falsePositives = g.Where(t => !t.IsAnomalous && t.Score >= threshold).OrderByDescending(t => t.Score);
                var falseNegatives = g.Where(t => t.IsAnomalous && t.Score < threshold).OrderBy(t => t.Score);
                return falsePositives.Select(t => new Miss(t, true, threshold)).Concat(falseNegatives.Select(t => new Miss(t, false, threshold)));
            })
            .ToList();
    }

    /// <summary>Each category's F1-best image-score threshold, for the categories with both normal and anomalous images.</summary>
    public static IReadOnlyDictionary<string, float> F1Thresholds(IEnumerable<GalleryTile> tiles) =>
        tiles.GroupBy(t => t.Category)
            .Where(g => g.Any(t => t.IsAnomalous) && g.Any(t => !t.IsAnomalous))
            .ToDictionary(g => g.Key, g => new ScoreRanking(g.Select(t => t.Score).ToArray(), g.Select(t => t.IsAnomalous).ToArray()).F1Max.Threshold);
}
