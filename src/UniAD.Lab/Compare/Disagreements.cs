using UniAD.Lab.Runs;

namespace UniAD.Lab.Compare;

/// <summary>One run's call on a test image: its image score against its category's F1-best threshold.</summary>
public sealed record Call(int RunId, int Index, float Score, float Threshold)
{
    public bool Anomalous => Score >= Threshold;
    /// <summary>How far the score is from the threshold, as a fraction of the threshold (scales differ between runs).</summary>
    public double Margin => Threshold > 0 ? Score / Threshold - 1 : Score - Threshold;
}

/// <summary>A test image two runs call differently: one detects it, the other misses it (or one raises a false alarm).</summary>
public sealed record Disagreement(string Key, string Category, string Label, bool IsAnomalous, Call A, Call B)
{
    /// <summary>How confidently they disagree: both margins, in their opposite directions.</summary>
    public double Strength => Math.Abs(A.Margin) + Math.Abs(B.Margin);
    /// <summary>The run that gets it right.</summary>
    public int RightRunId => A.Anomalous == IsAnomalous ? A.RunId : B.RunId;
}

public static class Disagreements
{
    /// <summary>The test images (matched by key) that run A and run B call differently, each at its own F1-best threshold
    /// per category, the most confident disagreements first.</summary>
    public static IReadOnlyList<Disagreement> Between(int runA, GalleryContents a, int runB, GalleryContents b)
    {
        var (thresholdsA, thresholdsB) = (GalleryMisses.F1Thresholds(a.Tiles), GalleryMisses.F1Thresholds(b.Tiles));
        var tilesB = b.Tiles.ToDictionary(t => t.Key);
        return a.Tiles
            .Where(t => tilesB.ContainsKey(t.Key) && thresholdsA.ContainsKey(t.Category) && thresholdsB.ContainsKey(t.Category))
            .Select(t => new Disagreement(t.Key, t.Category, t.Label, t.IsAnomalous,
                new Call(runA, t.Index, t.Score, thresholdsA[t.Category]),
                new Call(runB, tilesB[t.Key].Index, tilesB[t.Key].Score, thresholdsB[t.Category])))
            .Where(d => d.A.Anomalous != d.B.Anomalous)
            .OrderByDescending(d => d.Strength)
            .ToList();
    }
}
