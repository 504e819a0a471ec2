namespace UniAD.Core.Tests.Evaluation;

/// <summary>Deterministic inputs shared by the C# side and the scikit-learn reference. Scores are rounded
/// so that many samples tie, which is where hand-written metrics usually go wrong.</summary>
public static class ReferenceCases
{
    public sealed record Ranking(float[] Scores, bool[] Labels);

    public sealed record Maps(float[][] Scores, bool[][] Masks, int Height, int Width, double MaxFpr);

    public static readonly IReadOnlyDictionary<string, Ranking> Rankings = new Dictionary<string, Ranking>
    {
        ["ties_2dp"] = MakeRanking(seed: 1, count: 2000, anomalousFraction: 0.3, shift: 1.0, decimals: 2),
        ["heavy_ties_rare_anomalies"] = MakeRanking(seed: 2, count: 3000, anomalousFraction: 0.03, shift: 1.5, decimals: 1),
        ["no_ties"] = MakeRanking(seed: 3, count: 1500, anomalousFraction: 0.5, shift: 0.7, decimals: null),
        ["worse_than_chance"] = MakeRanking(seed: 4, count: 1000, anomalousFraction: 0.4, shift: -0.4, decimals: 2),
    };

    public static readonly IReadOnlyDictionary<string, Maps> MapSets = CreateMapSets();

    public static TheoryData<string> RankingNames => new(Rankings.Keys);
    public static TheoryData<string> MapSetNames => new(MapSets.Keys);

    private static Ranking MakeRanking(int seed, int count, double anomalousFraction, double shift, int? decimals)
    {
        var random = new Random(seed);
        var scores = new float[count];
        var labels = new bool[count];
        for (int i = 0; i < count; i++)
        {
            labels[i] = random.NextDouble() < anomalousFraction;
            double score = Gaussian(random) + (labels[i] ? shift : 0);
            scores[i] = (float)(decimals is int d ? Math.Round(score, d) : score);
        }
        return new Ranking(scores, labels);
    }

    private static Dictionary<string, Maps> CreateMapSets()
    {
        var (scores, masks) = MakeMaps(seed: 5, images: 6, height: 20, width: 24);
        return new Dictionary<string, Maps>
        {
            ["fpr_0.3"] = new(scores, masks, 20, 24, 0.3),
            ["fpr_0.05"] = new(scores, masks, 20, 24, 0.05),
            ["fpr_1"] = new(scores, masks, 20, 24, 1.0),
        };
    }

    // Defects are a filled rectangle plus scattered single pixels, so some touch only diagonally and
    // 8-connectivity matters; two images stay defect-free.
    private static (float[][], bool[][]) MakeMaps(int seed, int images, int height, int width)
    {
        var random = new Random(seed);
        var scores = new float[images][];
        var masks = new bool[images][];
        for (int i = 0; i < images; i++)
        {
            scores[i] = new float[height * width];
            masks[i] = new bool[height * width];
            if (i >= 2)
            {
                int top = random.Next(height - 6), left = random.Next(width - 8);
                int bottom = top + 2 + random.Next(4), right = left + 2 + random.Next(6);
                for (int y = 0; y < height; y++)
                for (int x = 0; x < width; x++)
                    masks[i][y * width + x] = (y >= top && y <= bottom && x >= left && x <= right)
                                              || random.NextDouble() < 0.04;
            }
            for (int p = 0; p < height * width; p++)
                scores[i][p] = (float)Math.Round(0.5 * Gaussian(random) + (masks[i][p] ? 0.8 : 0), 2);
        }
        return (scores, masks);
    }

    private static double Gaussian(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
