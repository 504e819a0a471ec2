using UniAD.Core.Data;
using static TorchSharp.torch;

namespace UniAD.Core.Tests.Data;

public class DatasetReaderTests(TinyDataset data) : IClassFixture<TinyDataset>
{
    [Fact]
    public void MvtecLayoutFindsCategoriesSplitsDefectsAndMasks()
    {
        var dataset = MvtecLayout.Read(data.Root);
        Assert.Equal(["fabric", "nut"], dataset.Categories);
        Assert.Equal(16, dataset.Train.Count);
        Assert.All(dataset.Train, s => Assert.False(s.IsAnomalous));
        var test = dataset.Test;
        Assert.Equal(2 * 3 + (4 + 3) * 2, test.Count);                // 3 good + 2 per defect type; fabric has 4 types, nut 3
        Assert.All(test.Where(s => s.IsAnomalous), s => Assert.True(File.Exists(s.MaskPath), s.Key));
        Assert.All(test.Where(s => !s.IsAnomalous), s => Assert.Null(s.MaskPath));
        Assert.Contains(test, s => s.Key == "nut/test/missing/001.png" && s.DefectType == "missing");
    }

    [Fact]
    public void UniadJsonLinesRoundTrip()
    {
        var dataset = MvtecLayout.Read(data.Root);
        var folder = TinyDataset.TempDirectory();
        UniadJsonl.Write(Path.Combine(folder, "train.json"), dataset.Train, dataset.Root);
        UniadJsonl.Write(Path.Combine(folder, "test.json"), dataset.Test, dataset.Root);
        Assert.Contains("\"label_name\":\"defective\",\"maskname\":\"fabric/ground_truth/", File.ReadAllText(Path.Combine(folder, "test.json")));
        var again = UniadJsonl.Read(Path.Combine(folder, "train.json"), Path.Combine(folder, "test.json"), data.Root);
        Assert.Equal(dataset.Train.Concat(dataset.Test).Select(s => (s.Key, s.Category, s.IsAnomalous, s.MaskPath)),
                     again.Samples.Select(s => (s.Key, s.Category, s.IsAnomalous, s.MaskPath)));
    }

    [Fact]
    public void ProblemsAreNamedWithTheirFile()
    {
        var missing = Path.Combine(Path.GetTempPath(), "no-such-dataset-" + Guid.NewGuid());
        Assert.Contains("dataset folder not found", Assert.Throws<DatasetException>(() => DatasetLoader.Open(missing)).Message);

        var empty = TinyDataset.TempDirectory();
        Directory.CreateDirectory(Path.Combine(empty, "widget", "train", "good"));
        Assert.Contains("category 'widget' has no training images", Assert.Throws<DatasetException>(() => MvtecLayout.Read(empty)).Message);

        Assert.Contains("unknown category screw", Assert.Throws<DatasetException>(
            () => DatasetLoader.Open(data.Root, categories: ["screw"])).Message);

        var broken = Path.Combine(TinyDataset.TempDirectory(), "train.json");
        File.WriteAllText(broken, "{\"filename\": \"fabric/train/good/000.png\", \"label\": 0}\nnot json\n");
        Assert.Contains("train.json: line 2: not a JSON object", Assert.Throws<DatasetException>(() => UniadJsonl.Read(broken, broken, data.Root)).Message);
    }

    [Fact]
    public void ATruncatedImageIsReportedNotDecodedAsGarbage()
    {
        var source = MvtecLayout.Read(data.Root).Train[0].ImagePath;
        var truncated = Path.Combine(TinyDataset.TempDirectory(), "truncated.png");
        var bytes = File.ReadAllBytes(source);
        File.WriteAllBytes(truncated, bytes[..(bytes.Length / 2)]);
        var error = Assert.Throws<DatasetException>(() => ImageLoader.LoadRgb(truncated, 64, 64));
        Assert.Contains(truncated, error.Message);
    }

    [Fact]
    public void MasksAreResizedByPixelCentreSampling()
    {
        // 4×4 source whose only foreground pixels are (1, 3) and (3, 1): a 2×2 resize samples rows/cols 1 and 3.
        var path = Path.Combine(TinyDataset.TempDirectory(), "mask.png");
        using (var bitmap = new SkiaSharp.SKBitmap(4, 4, SkiaSharp.SKColorType.Gray8, SkiaSharp.SKAlphaType.Opaque))
        {
            bitmap.Erase(SkiaSharp.SKColors.Black);
            bitmap.SetPixel(3, 1, SkiaSharp.SKColors.White);              // x = 3, y = 1
            bitmap.SetPixel(1, 3, SkiaSharp.SKColors.White);
            using var data = bitmap.Encode(SkiaSharp.SKEncodedImageFormat.Png, 100);
            File.WriteAllBytes(path, data.ToArray());
        }
        using var mask = ImageLoader.LoadMask(path, 2, 2);
        Assert.Equal(new[] { false, true, true, false }, mask.flatten().data<bool>().ToArray());
    }

    [Fact]
    public void ImagesAndMasksLoadAtTheInputSize()
    {
        var sample = MvtecLayout.Read(data.Root).Test.First(s => s.IsAnomalous);
        using var image = ImageLoader.LoadRgb(sample.ImagePath, 32, 48);
        Assert.Equal(new long[] { 3, 32, 48 }, image.shape);
        Assert.InRange(image.min().item<float>(), 0, 1);
        Assert.InRange(image.max().item<float>(), 0, 1);
        using var mask = ImageLoader.LoadMask(sample.MaskPath!, 32, 48);
        Assert.Equal(ScalarType.Bool, mask.dtype);
        Assert.True(mask.any().item<bool>());
        Assert.False(mask.all().item<bool>());
    }
}
