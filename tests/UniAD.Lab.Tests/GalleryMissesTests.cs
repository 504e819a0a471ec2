using UniAD.Lab.Runs;

namespace UniAD.Lab.Tests;

public class GalleryMissesTests
{
    [Fact]
    public void MissesAreTheFalsePositivesThenTheFalseNegativesAtEachCategorysF1BestThreshold()
    {
        int index = 0;
        GalleryTile Tile(string category, bool anomalous, float score) => new(index++, $"{category}/{index}", category, anomalous ? "cut" : "good", anomalous, score);
        GalleryTile[] tiles =
        [
            Tile("a", false, 0.1f), Tile("a", false, 0.5f), Tile("a", false, 0.95f),
            Tile("a", true, 0.6f), Tile("a", true, 0.05f), Tile("a", true, 0.9f), Tile("a", true, 0.8f),
            Tile("b", false, 0.99f),                                        // no anomalous images: no threshold, no misses
        ];
        // Thresholds high to low give F1 0, .33, .57, .75 (at 0.6), .67, .6, .73: 0.6 is the best.
        var misses = GalleryMisses.AtF1Threshold(tiles);

        Assert.Equal([(0.95f, true), (0.05f, false)], misses.Select(m => (m.Tile.Score, m.FalsePositive)));
        Assert.All(misses, m => Assert.Equal(0.6f, m.Threshold));
    }
}
