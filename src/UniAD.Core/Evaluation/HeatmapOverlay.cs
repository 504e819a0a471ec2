using SkiaSharp;
using TorchSharp;
using UniAD.Core.Data;
using static TorchSharp.torch;
using static TorchSharp.torch.nn.functional;

namespace UniAD.Core.Evaluation;

/// <summary>Renders an anomaly map over its image with the JET colour map. The colour scale is given by the
/// caller: one scale for a whole run is the honest default (per-image min–max makes normal images look
/// defective).</summary>
public static class HeatmapOverlay
{
    /// <param name="map">h×w anomaly map (any resolution; resized bilinearly to the image).</param>
    public static void SavePng(string imagePath, Tensor map, float low, float high, string outputPath, float opacity = 0.5f)
    {
        using var image = SKBitmap.Decode(imagePath) ?? throw new DatasetException($"cannot decode image: {imagePath}");
        using var resized = interpolate(map.reshape(1, 1, map.shape[^2], map.shape[^1]).to(float32),
            size: [image.Height, image.Width], mode: InterpolationMode.Bilinear, align_corners: true);
        var values = resized.data<float>().ToArray();
        float range = Math.Max(high - low, 1e-12f);
        using var overlay = new SKBitmap(image.Width, image.Height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        for (int y = 0; y < image.Height; y++)
        for (int x = 0; x < image.Width; x++)
        {
            var (r, g, b) = Jet(Math.Clamp((values[y * image.Width + x] - low) / range, 0, 1));
            var p = image.GetPixel(x, y);
            overlay.SetPixel(x, y, new SKColor(Blend(p.Red, r, opacity), Blend(p.Green, g, opacity), Blend(p.Blue, b, opacity)));
        }
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(outputPath))!);
        using var data = overlay.Encode(SKEncodedImageFormat.Png, 100);
        using var file = File.Create(outputPath);
        data.SaveTo(file);
    }

    /// <summary>MATLAB/OpenCV JET: blue → cyan → yellow → red.</summary>
    public static (byte R, byte G, byte B) Jet(float t)
    {
        static byte Channel(float v) => (byte)(255 * Math.Clamp(1.5f - Math.Abs(v), 0, 1));
        return (Channel(4 * t - 3), Channel(4 * t - 2), Channel(4 * t - 1));
    }

    private static byte Blend(byte under, byte over, float opacity) => (byte)(under * (1 - opacity) + over * opacity);
}
