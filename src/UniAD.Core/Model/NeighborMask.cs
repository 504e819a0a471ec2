using static TorchSharp.torch;

namespace UniAD.Core.Model;

/// <summary>Neighbor-masked attention (docs/model.md section 3.3): a token may not look at itself or at the
/// tokens of its own neighbourhood, so it cannot copy its input through attention (the "identical
/// shortcut") and must reconstruct it from farther context.</summary>
public static class NeighborMask
{
    /// <summary>Additive attention mask for an <paramref name="height"/>×<paramref name="width"/> token grid
    /// (token index h·width + w): L×L with −inf where key (h2, w2) lies in the
    /// <paramref name="neighborHeight"/>×<paramref name="neighborWidth"/> window centred on query (h1, w1),
    /// clipped at the borders, and 0 elsewhere.</summary>
    public static Tensor Create(int height, int width, int neighborHeight, int neighborWidth)
    {
        int tokens = height * width, halfH = neighborHeight / 2, halfW = neighborWidth / 2;
        if (halfH >= height / 2 && halfW >= width / 2)                    // the centre token's window is the grid
            throw new ArgumentException(
                $"A {neighborHeight}x{neighborWidth} neighbourhood covers the whole {height}x{width} feature grid: " +
                "some tokens would have no key left to attend to.");
        var mask = new float[tokens * tokens];
        for (int h1 = 0; h1 < height; h1++)
        for (int w1 = 0; w1 < width; w1++)
        {
            int row = (h1 * width + w1) * tokens;
            for (int h2 = Math.Max(h1 - halfH, 0); h2 < Math.Min(h1 + halfH + 1, height); h2++)
            for (int w2 = Math.Max(w1 - halfW, 0); w2 < Math.Min(w1 + halfW + 1, width); w2++)
                mask[row + h2 * width + w2] = float.NegativeInfinity;
        }
        return tensor(mask, [tokens, tokens]);
    }
}
