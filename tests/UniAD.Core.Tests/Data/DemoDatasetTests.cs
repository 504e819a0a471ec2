using System.Security.Cryptography;
using UniAD.Core.Data;
using UniAD.Core.Data.Demo;
using static TorchSharp.torch;

namespace UniAD.Core.Tests.Data;

public class DemoDatasetTests
{
    private static string Generate(int seed, int size = 48)
    {
        var root = TinyDataset.TempDirectory();
        DemoDataset.Generate(root, new DemoDatasetOptions { ImageSize = size, TrainPerCategory = 2, TestGoodPerCategory = 1, TestPerDefect = 1, Seed = seed });
        return root;
    }

    private static Dictionary<string, string> Hashes(string root) => Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories)
        .ToDictionary(f => Path.GetRelativePath(root, f), f => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(f))));

    [Fact]
    public void SameSeedSameFilesAnotherSeedOtherImages()
    {
        Assert.Equal(Hashes(Generate(1)), Hashes(Generate(1)));
        Assert.NotEqual(Hashes(Generate(1)), Hashes(Generate(2)));
    }

    [Theory]
    [InlineData(0, 2, "too small")]
    [InlineData(32, 0, "needs a training image")]
    public void NonsenseSizesAreRejected(int size, int train, string message) =>
        Assert.Contains(message, Assert.Throws<UserException>(() => DemoDataset.Generate(TinyDataset.TempDirectory(),
            new DemoDatasetOptions { ImageSize = size, TrainPerCategory = train })).Message);

    [Fact]
    public void EightCategoriesWithThreeOrMoreDefectTypesAndLocalMasks()
    {
        var dataset = MvtecLayout.Read(Generate(3, size: 96));
        Assert.Equal(["bottle_cap", "fabric", "leather", "mesh", "nut", "screw", "tile", "wood"], dataset.Categories);
        foreach (var category in dataset.Categories)
        {
            var defects = dataset.Test.Where(s => s.Category == category && s.IsAnomalous).ToList();
            Assert.InRange(defects.Select(d => d.DefectType).Distinct().Count(), 3, 4);
            foreach (var d in defects)
            {
                using var mask = ImageLoader.LoadMask(d.MaskPath!, 96, 96);
                double fraction = mask.to(float32).mean().item<float>();
                Assert.InRange(fraction, 0.0005, 0.15);                      // a local defect, not the whole image
            }
        }
    }

    /// <summary>Most defect pixels lie within the brightness range of normal images (1st to 99th percentile of the
    /// category's training pixels), so thresholding brightness does not find them; a detector has to model structure.</summary>
    [Fact]
    public void DefectsAreMostlyNotBrightnessOutliers()
    {
        var dataset = MvtecLayout.Read(Generate(4, size: 96));
        var outlierShareByDefect = new List<double>();
        foreach (var category in dataset.Categories)
        {
            var normal = dataset.Train.Where(s => s.Category == category).SelectMany(s => Luminance(s.ImagePath)).Order().ToArray();
            double low = normal[normal.Length / 100], high = normal[normal.Length * 99 / 100];
            foreach (var defect in dataset.Test.Where(s => s.Category == category && s.IsAnomalous))
            {
                var inMask = Luminance(defect.ImagePath).Zip(Luminance(defect.MaskPath!), (v, m) => (v, m)).Where(p => p.m > 0).ToList();
                outlierShareByDefect.Add(inMask.Count(p => p.v < low || p.v > high) / (double)inMask.Count);
            }
        }
        Assert.True(outlierShareByDefect.Average() < 0.5, $"mean share of brightness outliers in masks: {outlierShareByDefect.Average():F2}");
        Assert.True(outlierShareByDefect.Count(s => s < 0.1) >= outlierShareByDefect.Count / 3,
            $"defects nearly invisible to a brightness threshold: {outlierShareByDefect.Count(s => s < 0.1)} of {outlierShareByDefect.Count}");
    }

    private static IEnumerable<double> Luminance(string path)
    {
        var image = ImageDecoder.Decode(path);
        for (int i = 0; i < image.Rgba.Length; i += 4)
            yield return 0.299 * image.Rgba[i] + 0.587 * image.Rgba[i + 1] + 0.114 * image.Rgba[i + 2];
    }
}
