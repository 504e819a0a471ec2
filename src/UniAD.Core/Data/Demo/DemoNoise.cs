namespace UniAD.Core.Data.Demo;

/// <summary>Deterministic value noise: smooth random fields for leather grain and uneven lighting.</summary>
internal static class DemoNoise
{
    /// <summary>Smooth noise in [0, 1) with features about one unit apart.</summary>
    public static float Value(float x, float y, int seed)
    {
        int x0 = (int)MathF.Floor(x), y0 = (int)MathF.Floor(y);
        float fx = Smooth(x - x0), fy = Smooth(y - y0);
        float top = Lerp(Lattice(x0, y0, seed), Lattice(x0 + 1, y0, seed), fx);
        float bottom = Lerp(Lattice(x0, y0 + 1, seed), Lattice(x0 + 1, y0 + 1, seed), fx);
        return Lerp(top, bottom, fy);
    }

    /// <summary>Octaves of <see cref="Value"/>, each twice as fine and half as strong, normalised to [0, 1).</summary>
    public static float Fractal(float x, float y, int seed, int octaves)
    {
        float sum = 0, weight = 1, total = 0;
        for (int o = 0; o < octaves; o++, x *= 2, y *= 2, weight /= 2)
        {
            sum += weight * Value(x, y, seed + o * 1013);
            total += weight;
        }
        return sum / total;
    }

    private static float Lattice(int x, int y, int seed)
    {
        uint h = unchecked((uint)(x * 374761393 + y * 668265263 + seed * 982451653));
        h = (h ^ (h >> 13)) * 1274126177;
        return ((h ^ (h >> 16)) & 0xFFFFFF) / (float)0x1000000;
    }

    private static float Smooth(float t) => t * t * (3 - 2 * t);
    private static float Lerp(float a, float b, float t) => a + (b - a) * t;
}
