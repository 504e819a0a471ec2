using System.Text.Json;
using UniAD.Core.Configuration;
using UniAD.Core.Training;
using static TorchSharp.torch;

namespace UniAD.Core.Tests.Training;

/// <summary>Checkpoints the lab wrote before the official names and the official schedule and jitter stream
/// (LegacyCheckpoints/README.md) load, and resume to the very numbers their uninterrupted runs gave.</summary>
[Collection(GlobalTorchRng.Name)]
public class LegacyCheckpointTests
{
    private static readonly string Folder = Path.Combine(AppContext.BaseDirectory, "Training", "LegacyCheckpoints");

    private sealed record Expected(double[] Losses, double[] Lrs);

    private static Expected ExpectedOf(string name) =>
        JsonSerializer.Deserialize<Expected>(File.ReadAllText(Path.Combine(Folder, name + ".expected.json")),
            new JsonSerializerOptions { PropertyNameCaseInsensitive = true })!;

    private static Tensor Features()
    {
        manual_seed(11);
        return randn(6, 16, 4, 4);
    }

    [Theory]
    [InlineData("layerwise-learned")]
    [InlineData("shared-sine")]
    public void AnOldCheckpointResumesToTheNumbersOfItsUninterruptedRun(string name)
    {
        var checkpoint = Checkpoint.Load(Path.Combine(Folder, name + ".epoch2.uniad"));
        Assert.Equal(EngineBehaviour.LabV1, checkpoint.Config.Training.LrStepTiming);
        Assert.Equal(EngineBehaviour.LabV1, checkpoint.Config.Model.FeatureJitter.NoiseStream);
        using var features = Features();
        using var trainer = Trainer.Resume(checkpoint, CPU);
        trainer.Train(features, new TrainingHooks());
        var expected = ExpectedOf(name);
        // Bit-identical on the machine that wrote it; the tolerance (losses are about 2) only allows another CPU's
        // kernels, and is far below what the official schedule and noise stream change (about 1e-2 here).
        Close.Equal(expected.Losses, trainer.State.History.Select(h => h.MeanLoss), tolerance: 2e-6);
        Close.Equal(expected.Lrs, trainer.State.History.Select(h => h.LearningRate), tolerance: 1e-15);
    }
}
