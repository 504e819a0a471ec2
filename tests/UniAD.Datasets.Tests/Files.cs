using System.IO.Compression;
using SkiaSharp;
using UniAD.Core.Data.Demo;

namespace UniAD.Datasets.Tests;

/// <summary>Small generated datasets and the file surgery the tests do on them.</summary>
internal static class Files
{
    public static string TempDirectory() => TestScratch.NewFolder("uniad-datasets");

    /// <summary>A fresh copy of a tiny demo set in the MVTec layout: two categories, 64-pixel images.</summary>
    public static string DemoMvtec(int seed = 0, int train = 3)
    {
        var root = TempDirectory();
        DemoDataset.Generate(root, new DemoDatasetOptions
        {
            ImageSize = 64, TrainPerCategory = train, TestGoodPerCategory = 2, TestPerDefect = 1, Seed = seed, Categories = ["fabric", "nut"],
        });
        return root;
    }

    public static string Zip(string folder, string? wrapper = null)
    {
        var zip = Path.Combine(TempDirectory(), "dataset.zip");
        ZipFile.CreateFromDirectory(folder, zip, CompressionLevel.Fastest, includeBaseDirectory: false);
        if (wrapper is null) return zip;
        var wrapped = Path.Combine(TempDirectory(), "wrapped.zip");
        using (var source = ZipFile.OpenRead(zip))
        using (var target = ZipFile.Open(wrapped, ZipArchiveMode.Create))
            foreach (var entry in source.Entries)
            {
                using var from = entry.Open();
                using var to = target.CreateEntry($"{wrapper}/{entry.FullName}").Open();
                from.CopyTo(to);
            }
        return wrapped;
    }

    /// <summary>A zip with the given entries; each is (name, bytes, unix mode or 0).</summary>
    public static string ZipOf(params (string Name, byte[] Bytes, int UnixMode)[] entries)
    {
        var zip = Path.Combine(TempDirectory(), "crafted.zip");
        using var archive = ZipFile.Open(zip, ZipArchiveMode.Create);
        foreach (var (name, bytes, mode) in entries)
        {
            var entry = archive.CreateEntry(name);
            if (mode != 0) entry.ExternalAttributes = mode << 16;
            using var stream = entry.Open();
            stream.Write(bytes);
        }
        return zip;
    }

    public static void WritePng(string path, int width, int height, Action<SKCanvas> draw, SKColorType type = SKColorType.Rgba8888)
    {
        using var bitmap = new SKBitmap(width, height, type, SKAlphaType.Premul);
        using (var canvas = new SKCanvas(bitmap)) draw(canvas);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using var data = bitmap.Encode(SKEncodedImageFormat.Png, 100);
        File.WriteAllBytes(path, data.ToArray());
    }

    public static void ChangeOnePixel(string png)
    {
        using var bitmap = SKBitmap.Decode(png);
        var c = bitmap.GetPixel(0, 0);
        bitmap.SetPixel(0, 0, new SKColor((byte)(c.Red ^ 1), c.Green, c.Blue, c.Alpha));
        using var data = bitmap.Encode(SKEncodedImageFormat.Png, 100);
        File.WriteAllBytes(png, data.ToArray());
    }

    /// <summary>Everything under the store's root except finished versions: what a failed import must not leave.</summary>
    public static IEnumerable<string> Leftovers(DatasetStore store) =>
        Directory.Exists(store.Root) ? Directory.EnumerateFileSystemEntries(store.Root, "*", SearchOption.AllDirectories)
            .Where(p => !p.EndsWith(DatasetStore.StagingFolder)) : [];
}
