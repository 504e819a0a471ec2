using UniAD.Core.Configuration;
using UniAD.Core.Data;
using UniAD.Core.Data.Demo;

namespace UniAD.Tests;

/// <summary>A small generated MVTec-layout dataset (two categories, 64-pixel images) and a config small enough
/// that a whole train + evaluate cycle takes seconds on two CPU cores.</summary>
public sealed class TinyDataset : IDisposable
{
    public string Root { get; } = TestScratch.NewFolder("uniad-tiny");

    public TinyDataset() => DemoDataset.Generate(Root, new DemoDatasetOptions
    {
        ImageSize = 64, TrainPerCategory = 8, TestGoodPerCategory = 3, TestPerDefect = 2, Seed = 7,
        Categories = ["fabric", "nut"],
    });

    public static UniadConfig Config(int epochs = 2) => new()
    {
        Backbone = new BackboneConfig { OutLayers = [2, 3], InputSize = [64, 64] },   // 4×4 token grid
        Model = new ReconstructionConfig
        {
            HiddenDim = 32, Heads = 4, FeedForwardDim = 64, EncoderLayers = 1, DecoderLayers = 2,
            NeighborMask = new NeighborMaskConfig { Size = [3, 3] },
        },
        Training = new TrainingConfig { Epochs = epochs, BatchSize = 4, CheckpointEveryEpochs = 1, Seed = 5 },
        Evaluation = new EvaluationConfig { AvgPoolKernel = 8 },
    };

    /// <summary>PatchCore's preset at the tiny input: an 8×8 patch grid, 1024-d patch features.</summary>
    public static UniadConfig PatchCoreConfig(double fraction = 0.1) => Presets.PatchCore with
    {
        Backbone = Presets.PatchCore.Backbone with { InputSize = [64, 64] },
        Training = Presets.PatchCore.Training with { BatchSize = 4, Seed = 5 },
        Patchcore = new PatchcoreConfig { CoresetFraction = fraction },
    };

    public static string TempDirectory() => TestScratch.NewFolder("uniad-run");

    /// <summary>A folder of classes (as CIFAR-10): ant, bee, cat and dog, five copies of one of the tiny images each in
    /// train/ and test/.</summary>
    public static string FolderOfClasses(TinyDataset source)
    {
        var root = TempDirectory();
        var image = MvtecLayout.Read(source.Root).Train[0].ImagePath;
        foreach (var split in new[] { "train", "test" })
        foreach (var cls in new[] { "ant", "bee", "cat", "dog" })
        {
            Directory.CreateDirectory(Path.Combine(root, split, cls));
            for (int i = 0; i < 5; i++) File.Copy(image, Path.Combine(root, split, cls, $"{i:D4}.png"));
        }
        return root;
    }

    public void Dispose() => Directory.Delete(Root, recursive: true);
}
