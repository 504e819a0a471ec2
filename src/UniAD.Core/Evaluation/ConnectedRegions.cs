namespace UniAD.Core.Evaluation;

/// <summary>Connected components of a binary mask with 8-connectivity (diagonal neighbours join), as
/// <c>scipy.ndimage.label</c> with a 3×3 structure of ones, which the MVTec AD evaluation uses.</summary>
internal static class ConnectedRegions
{
    /// <summary>Writes a region number (0, 1, …) for every true pixel and −1 for every false one into
    /// <paramref name="regionOf"/>, and returns each region's pixel count, indexed by region number.</summary>
    public static List<int> Label(bool[] mask, int height, int width, Span<int> regionOf)
    {
        regionOf.Fill(-1);
        var sizes = new List<int>();
        var pending = new Stack<int>();
        for (int start = 0; start < mask.Length; start++)
        {
            if (!mask[start] || regionOf[start] >= 0) continue;
            int region = sizes.Count, size = 0;
            regionOf[start] = region;
            pending.Push(start);
            // Explicit stack flood fill: recursion would overflow on large defects.
            while (pending.Count > 0)
            {
                int pixel = pending.Pop();
                size++;
                int y = pixel / width, x = pixel % width;
                for (int ny = Math.Max(y - 1, 0); ny <= Math.Min(y + 1, height - 1); ny++)
                for (int nx = Math.Max(x - 1, 0); nx <= Math.Min(x + 1, width - 1); nx++)
                {
                    int neighbour = ny * width + nx;
                    if (!mask[neighbour] || regionOf[neighbour] >= 0) continue;
                    regionOf[neighbour] = region;
                    pending.Push(neighbour);
                }
            }
            sizes.Add(size);
        }
        return sizes;
    }
}
