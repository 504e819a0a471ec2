using SkiaSharp;

namespace UniAD.Core.Data.Demo;

public sealed record DemoDatasetOptions
{
    public int ImageSize { get; init; } = 256;
    public int TrainPerCategory { get; init; } = 40;
    public int TestGoodPerCategory { get; init; } = 10;
    public int TestPerDefect { get; init; } = 5;
    public int Seed { get; init; } = 0;
    /// <summary>Names from <see cref="DemoDataset.CategoryNames"/>; all when null.</summary>
    public IReadOnlyList<string>? Categories { get; init; }
}

/// <summary>Generates an MVTec-layout dataset of industrial-looking images (five textures and three objects, with
/// uneven lighting, sensor noise, position, rotation and colour variation) and defects with exact pixel masks. Defects change local structure
/// (a scratch across a weave, a missing notch, a crack) at near-normal brightness, so a detector has to model
/// the structure, not just find bright spots. Deterministic in the seed, any size, any count.</summary>
public static class DemoDataset
{
    private static readonly IReadOnlyDictionary<string, DemoCategory> All = new[]
    {
        DemoCategories.Fabric, DemoCategories.Wood, DemoCategories.Tile,
        DemoCategories.Mesh, DemoCategories.Leather, DemoCategories.BottleCap, DemoCategories.Nut, DemoCategories.Screw,
    }.ToDictionary(c => c.Name);

    public static IReadOnlyList<string> CategoryNames => [.. All.Keys];

    public static void Generate(string root, DemoDatasetOptions options)
    {
        if (options.ImageSize < 16) throw new UserException($"image size {options.ImageSize} is too small: use 16 pixels or more");
        if (options.TrainPerCategory < 1 || options.TestGoodPerCategory < 0 || options.TestPerDefect < 0)
            throw new UserException("image counts must not be negative, and each category needs a training image");
        var categories = options.Categories ?? CategoryNames;
        var unknown = categories.FirstOrDefault(name => !All.ContainsKey(name));
        if (unknown is not null) throw new UserException($"unknown demo category '{unknown}'; choose from {string.Join(", ", CategoryNames)}");
        // Every image has its own seed, so rendering them in parallel gives the same files in any order.
        Parallel.ForEach(categories.SelectMany(name => Images(All[name], Path.Combine(root, name), options)), image => image());
    }

    private static IEnumerable<Action> Images(DemoCategory category, string dir, DemoDatasetOptions options)
    {
        for (int i = 0; i < options.TrainPerCategory; i++)
        {
            int index = i;
            yield return () => Render(category, null, options, "train", index, Path.Combine(dir, "train", "good"), null);
        }
        for (int i = 0; i < options.TestGoodPerCategory; i++)
        {
            int index = i;
            yield return () => Render(category, null, options, "test-good", index, Path.Combine(dir, "test", "good"), null);
        }
        foreach (var defect in category.Defects)
            for (int i = 0; i < options.TestPerDefect; i++)
            {
                int index = i;
                yield return () => Render(category, defect, options, "test-" + defect.Name, index, Path.Combine(dir, "test", defect.Name),
                    Path.Combine(dir, "ground_truth", defect.Name));
            }
    }

    private static void Render(DemoCategory category, DemoDefect? defect, DemoDatasetOptions options, string stream, int index,
        string imageDir, string? maskDir)
    {
        int size = options.ImageSize;
        var random = new Random(StableHash($"{options.Seed}|{category.Name}|{stream}|{index}"));
        using var image = new SKBitmap(size, size, SKColorType.Rgba8888, SKAlphaType.Premul);
        using var mask = new SKBitmap(size, size, SKColorType.Rgba8888, SKAlphaType.Premul);
        var look = DemoLook.Sample(random, size) with { Background = category.Background };
        using (var canvas = new SKCanvas(image))
        using (var maskCanvas = new SKCanvas(mask))
        {
            maskCanvas.Clear(SKColors.Black);
            canvas.Clear(look.Shade(look.Background));
            category.Draw(canvas, look, random);
            // Defects sit on the object, so they follow its shift; those on a screw also follow its orientation.
            canvas.Translate(look.ShiftX, look.ShiftY);
            maskCanvas.Translate(look.ShiftX, look.ShiftY);
            defect?.Draw(canvas, maskCanvas, look, random);
        }
        Acquire(image, look, random);
        string name = $"{index:D3}";
        Save(image, Path.Combine(imageDir, name + ".png"));
        if (maskDir is null) return;
        using var grayMask = mask.Copy(SKColorType.Gray8);                 // 8-bit 0/255 masks, as MVTec AD's
        Save(grayMask, Path.Combine(maskDir, name + "_mask.png"));
    }

    /// <summary>What a camera adds: illumination that falls off across the field and per-pixel sensor noise.</summary>
    private static void Acquire(SKBitmap image, DemoLook look, Random random)
    {
        var pixels = image.GetPixelSpan();
        int size = look.Size;
        float gx = (random.NextSingle() - 0.5f) * 0.12f, gy = (random.NextSingle() - 0.5f) * 0.12f;
        for (int y = 0; y < size; y++)
        for (int x = 0; x < size; x++)
        {
            float light = 1 + gx * (x / (float)size - 0.5f) + gy * (y / (float)size - 0.5f);
            float grain = (random.NextSingle() - 0.5f) * 10;                        // ±5 levels
            int i = (y * size + x) * 4;
            for (int c = 0; c < 3; c++) pixels[i + c] = (byte)Math.Clamp(pixels[i + c] * light + grain, 0, 255);
        }
    }

    private static void Save(SKBitmap bitmap, string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using var pixels = bitmap.PeekPixels();
        // zlib level 1: same pixels, a seventh larger, and 7× faster to write than the default level at 1024 px.
        using var data = pixels.Encode(new SKPngEncoderOptions(SKPngEncoderFilterFlags.AllFilters, zLibLevel: 1))
                         ?? throw new InvalidOperationException($"PNG encoding failed for {path}");
        using var file = File.Create(path);
        data.SaveTo(file);
    }

    // string.GetHashCode and HashCode.Combine are randomised per process; the generator must not be.
    private static int StableHash(string s) => s.Aggregate(17, (h, c) => unchecked(h * 31 + c));
}

/// <summary>Per-image acquisition variation: lighting, colour drift, position, a small rotation (all categories) and
/// the free orientation of objects that lie anywhere on the belt (<see cref="Orientation"/>, degrees).</summary>
internal sealed record DemoLook(int Size, float Brightness, SKColor Tint, float ShiftX, float ShiftY, float Rotation, float Orientation)
{
    /// <summary>The surface colour before lighting: what a missing part reveals.</summary>
    public SKColor Background { get; init; }

    public static DemoLook Sample(Random r, int size) => new(size,
        Brightness: 0.9f + 0.2f * r.NextSingle(),
        Tint: new SKColor((byte)r.Next(120, 137), (byte)r.Next(120, 137), (byte)r.Next(120, 137)),
        ShiftX: (r.NextSingle() - 0.5f) * size * 0.04f,
        ShiftY: (r.NextSingle() - 0.5f) * size * 0.04f,
        Rotation: (r.NextSingle() - 0.5f) * 6f,
        Orientation: r.NextSingle() * 360);

    /// <summary>A base colour under this image's lighting and colour drift.</summary>
    public SKColor Shade(SKColor c) => new(
        Clamp(c.Red * Brightness * Tint.Red / 128f), Clamp(c.Green * Brightness * Tint.Green / 128f),
        Clamp(c.Blue * Brightness * Tint.Blue / 128f), c.Alpha);

    private static byte Clamp(float v) => (byte)Math.Clamp(v, 0, 255);
}

internal sealed record DemoCategory(string Name, SKColor Background, Action<SKCanvas, DemoLook, Random> Draw, IReadOnlyList<DemoDefect> Defects);

/// <summary>Draws a defect on the image and, in white, its exact extent on the mask.</summary>
internal sealed record DemoDefect(string Name, Action<SKCanvas, SKCanvas, DemoLook, Random> Draw);
