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
        Assert.Contains(message, Assert.Throws<ArgumentException>(() => DemoDataset.Generate(TinyDataset.TempDirectory(),
            new DemoDatasetOptions { ImageSize = size, TrainPerCategory = train })).Message);

    [Fact]
    public void SixCategoriesWithThreeDefectTypesAndMasksThatMarkChangedPixels()
    {
        var dataset = MvtecLayout.Read(Generate(3, size: 96));
        Assert.Equal(6, dataset.Categories.Count);
        foreach (var category in dataset.Categories)
        {
            var defects = dataset.Test.Where(s => s.Category == category && s.IsAnomalous).ToList();
            Assert.Equal(3, defects.Select(d => d.DefectType).Distinct().Count());
            foreach (var d in defects)
            {
                using var mask = ImageLoader.LoadMask(d.MaskPath!, 96, 96);
                double fraction = mask.to(float32).mean().item<float>();
                Assert.InRange(fraction, 0.0005, 0.15);                      // a local defect, not the whole image
            }
        }
    }
}
