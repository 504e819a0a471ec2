using System.Runtime.InteropServices;
using SkiaSharp;
using UniAD.Core.Data;
using static TorchSharp.torch;
using static TorchSharp.torch.nn.functional;

namespace UniAD.Core.Evaluation;

/// <summary>Renders an anomaly map over its image with the JET colour map, optionally with the ground-truth
/// contour in white. The colour scale is given by the caller: one scale for a whole run is the honest default
/// (per-image min–max makes normal images look defective).</summary>
public static class HeatmapOverlay
{
    public static void SavePng(string imagePath, Tensor map, float low, float high, string outputPath, float opacity = 0.5f)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(outputPath))!);
        File.WriteAllBytes(outputPath, RenderPng(imagePath, map, low, high, opacity: opacity));
    }

    /// <param name="map">h×w anomaly map (any resolution; resized bilinearly to the output), or null for the image
    /// alone (with its contour): what a dataset browser shows.</param>
    /// <param name="maskPath">Ground truth whose contour is drawn, or null.</param>
    /// <param name="maxSide">Shrink the output so its longer side is at most this (0: the image's own size).</param>
    public static byte[] RenderPng(string imagePath, Tensor? map, float low, float high, string? maskPath = null, int maxSide = 0, float opacity = 0.5f)
    {
        float range = Math.Max(high - low, 1e-12f);
        return Render(imagePath, map, v => Jet(Math.Clamp((v - low) / range, 0, 1)), maskPath, maxSide, opacity);
    }

    /// <summary>A difference of two anomaly maps (B − A) over the image: blue where B is lower, red where it is higher,
    /// white where they agree, on the symmetric scale ±<paramref name="limit"/>.</summary>
    public static byte[] RenderDifferencePng(string imagePath, Tensor difference, float limit, string? maskPath = null, int maxSide = 0) =>
        Render(imagePath, difference, v => Diverging(Math.Clamp(v / Math.Max(limit, 1e-12f), -1, 1)), maskPath, maxSide, opacity: 0.7f);

    /// <summary>Blue (−1) → white (0) → red (+1).</summary>
    public static (byte R, byte G, byte B) Diverging(float t)
    {
        byte fade = (byte)(255 * (1 - Math.Abs(t)));
        return t < 0 ? (fade, fade, 255) : (255, fade, fade);
    }

    private static byte[] Render(string imagePath, Tensor? map, Func<float, (byte R, byte G, byte B)> colour, string? maskPath, int maxSide, float opacity)
    {
        var decoded = ImageDecoder.Decode(imagePath);
        double shrink = maxSide > 0 ? Math.Min(1, maxSide / (double)Math.Max(decoded.Width, decoded.Height)) : 1;
        int width = Math.Max(1, (int)Math.Round(decoded.Width * shrink)), height = Math.Max(1, (int)Math.Round(decoded.Height * shrink));
        using var image = Bitmap(decoded, width, height);
        using var resized = map is null ? null : interpolate(map.reshape(1, 1, map.shape[^2], map.shape[^1]).to(float32),
            size: [height, width], mode: InterpolationMode.Bilinear, align_corners: true);
        var values = resized?.data<float>().ToArray();
        var contour = maskPath is null ? null : Contour(maskPath, height, width);
        var pixels = image.GetPixelSpan();                                    // RGBA
        for (int i = 0; i < width * height; i++)
        {
            if (contour is not null && contour[i])
            {
                pixels[4 * i] = pixels[4 * i + 1] = pixels[4 * i + 2] = 255;
                continue;
            }
            if (values is null) continue;
            var (r, g, b) = colour(values[i]);
            pixels[4 * i] = Blend(pixels[4 * i], r, opacity);
            pixels[4 * i + 1] = Blend(pixels[4 * i + 1], g, opacity);
            pixels[4 * i + 2] = Blend(pixels[4 * i + 2], b, opacity);
        }
        using var data = image.Encode(SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }

    /// <summary>MATLAB/OpenCV JET: blue → cyan → yellow → red.</summary>
    public static (byte R, byte G, byte B) Jet(float t)
    {
        static byte Channel(float v) => (byte)(255 * Math.Clamp(1.5f - Math.Abs(v), 0, 1));
        return (Channel(4 * t - 3), Channel(4 * t - 2), Channel(4 * t - 1));
    }

    private static SKBitmap Bitmap(DecodedImage decoded, int width, int height)
    {
        var info = new SKImageInfo(decoded.Width, decoded.Height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        using var full = new SKBitmap(info);
        Marshal.Copy(decoded.Rgba, 0, full.GetPixels(), decoded.Rgba.Length);
        return full.Resize(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Unpremul), new SKSamplingOptions(SKFilterMode.Linear))
               ?? throw new DatasetException($"cannot resize image: {decoded.Width}×{decoded.Height} to {width}×{height}");
    }

    /// <summary>Defect pixels with a non-defect 4-neighbour (or on the border): the mask's outline.</summary>
    private static bool[] Contour(string maskPath, int height, int width)
    {
        using var mask = ImageLoader.LoadMask(maskPath, height, width);
        var inside = mask.flatten().data<bool>().ToArray();
        var contour = new bool[inside.Length];
        for (int y = 0; y < height; y++)
        for (int x = 0; x < width; x++)
        {
            int i = y * width + x;
            contour[i] = inside[i] && (x == 0 || y == 0 || x == width - 1 || y == height - 1
                                       || !inside[i - 1] || !inside[i + 1] || !inside[i - width] || !inside[i + width]);
        }
        return contour;
    }

    private static byte Blend(byte under, byte over, float opacity) => (byte)(under * (1 - opacity) + over * opacity);
}
