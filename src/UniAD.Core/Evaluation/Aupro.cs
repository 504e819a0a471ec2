namespace UniAD.Core.Evaluation;

/// <summary>Area under the per-region-overlap (PRO) curve, as <c>compute_pro</c> in the official MVTec AD
/// evaluation. Unlike pixel AUROC, each connected defect weighs the same whatever its size, so small
/// defects are not drowned by large ones.</summary>
public static class Aupro
{
    /// <summary>The usual integration limit: false positive rates above 0.3 are of no practical use.</summary>
    public const double DefaultMaxFpr = 0.3;

    /// <summary>PRO-curve area for false positive rates 0…<paramref name="maxFpr"/>, divided by
    /// <paramref name="maxFpr"/> so that a perfect detector scores 1.</summary>
    /// <param name="scoreMaps">Per image, H·W anomaly scores in row-major order.</param>
    /// <param name="masks">Per image, H·W ground truth (true = defect), same order.</param>
    /// <exception cref="ArgumentException">Shapes disagree, or no mask has a defect (PRO is undefined).</exception>
    public static double Compute(IReadOnlyList<float[]> scoreMaps, IReadOnlyList<bool[]> masks,
        int height, int width, double maxFpr = DefaultMaxFpr)
    {
        if (scoreMaps.Count != masks.Count)
            throw new ArgumentException($"Got {scoreMaps.Count} score maps but {masks.Count} masks.", nameof(masks));
        if (!(maxFpr > 0 && maxFpr <= 1))
            throw new ArgumentOutOfRangeException(nameof(maxFpr), maxFpr, "Must be in (0, 1].");
        int pixelsPerImage = height * width;
        for (int i = 0; i < scoreMaps.Count; i++)
            if (scoreMaps[i].Length != pixelsPerImage || masks[i].Length != pixelsPerImage)
                throw new ArgumentException($"Image {i}: score map and mask must both have {height}×{width} pixels.");

        // All pixels of all images in one list; each knows its defect region (global number) or −1 if normal.
        var scores = new float[scoreMaps.Count * pixelsPerImage];
        var regionOf = new int[scores.Length];
        var regionSizes = new List<int>();
        for (int i = 0; i < scoreMaps.Count; i++)
        {
            int offset = i * pixelsPerImage;
            scoreMaps[i].CopyTo(scores, offset);
            var imageRegionOf = regionOf.AsSpan(offset, pixelsPerImage);
            var sizes = ConnectedRegions.Label(masks[i], height, width, imageRegionOf);
            foreach (ref int region in imageRegionOf)
                if (region >= 0) region += regionSizes.Count;
            regionSizes.AddRange(sizes);
        }
        if (regionSizes.Count == 0)
            throw new ArgumentException("AUPRO needs at least one defect region, but every mask is empty.", nameof(masks));
        int normalPixels = scores.Length;
        foreach (int size in regionSizes) normalPixels -= size;
        if (normalPixels == 0)
            throw new ArgumentException("AUPRO needs normal pixels for its false positive rate, but every pixel is a defect.", nameof(masks));

        foreach (float score in scores)
            if (float.IsNaN(score)) throw new ArgumentException("Score maps contain NaN.", nameof(scoreMaps));
        Array.Sort(scores, regionOf);

        // Lower the threshold one distinct score at a time: a normal pixel adds 1/normalPixels to the FPR, a
        // defect pixel adds 1/(its region's size) to the sum whose mean over regions is the PRO. Integrate
        // the curve from (0, 0) by trapezoids and stop at maxFpr, interpolating the last segment.
        double area = 0, previousFpr = 0, previousPro = 0, overlapSum = 0;
        int falsePositives = 0;
        for (int i = scores.Length - 1; i >= 0; i--)
        {
            if (regionOf[i] < 0) falsePositives++;
            else overlapSum += 1.0 / regionSizes[regionOf[i]];
            if (i > 0 && scores[i - 1] == scores[i]) continue;

            double fpr = (double)falsePositives / normalPixels;
            double pro = Math.Min(overlapSum / regionSizes.Count, 1.0); // rounding may overshoot 1
            if (fpr >= maxFpr)
            {
                double proAtLimit = previousPro + (pro - previousPro) * (maxFpr - previousFpr) / (fpr - previousFpr);
                area += (maxFpr - previousFpr) * (previousPro + proAtLimit) / 2;
                break;
            }
            area += (fpr - previousFpr) * (previousPro + pro) / 2;
            (previousFpr, previousPro) = (fpr, pro);
        }
        return area / maxFpr;
    }
}
