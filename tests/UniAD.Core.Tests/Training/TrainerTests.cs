using UniAD.Core.Configuration;
using UniAD.Core.Training;
using static TorchSharp.torch;

namespace UniAD.Core.Tests.Training;

[Collection(GlobalTorchRng.Name)]
public class TrainerTests
{
    // Its own generator: the global one carries the run's jitter/dropout stream, which a resume restores.
    private static Tensor Features() { using var g = new Generator(11); return randn(10, 24, 4, 4, generator: g).abs(); }

    private static (Trainer Trainer, string Checkpoint) Train(int epochs, string folder, UniadConfig? config = null)
    {
        var trainer = Trainer.Start(config ?? TinyDataset.Config(epochs), 24, 4, 4, "features-v1", CPU);
        var checkpoint = Path.Combine(folder, RunFolder.CheckpointFile);
        using var features = Features();
        trainer.Train(features, new TrainingHooks(checkpoint));
        return (trainer, checkpoint);
    }

    private static float[] Weights(Trainer t) => t.Model.parameters().SelectMany(p => p.data<float>().ToArray()).ToArray();

    [Fact]
    public void SameSeedSameDataGivesTheSameNumbersOnCpu()
    {
        var (a, _) = Train(3, TinyDataset.TempDirectory());
        var (b, _) = Train(3, TinyDataset.TempDirectory());
        Assert.Equal(a.State.History.Select(h => h.MeanLoss), b.State.History.Select(h => h.MeanLoss));
        Assert.Equal(Weights(a), Weights(b));
        var (c, _) = Train(3, TinyDataset.TempDirectory(), TinyDataset.Config(3) with { Training = TinyDataset.Config(3).Training with { Seed = 6 } });
        Assert.NotEqual(Weights(a), Weights(c));
    }

    [Fact]
    public void TrainingReducesTheReconstructionLoss()
    {
        var (trainer, _) = Train(8, TinyDataset.TempDirectory());
        Assert.True(trainer.State.History[^1].MeanLoss < 0.8 * trainer.State.History[0].MeanLoss,
            string.Join(", ", trainer.State.History.Select(h => h.MeanLoss)));
    }

    [Fact]
    public void ResumingFromACheckpointContinuesTheSameRun()
    {
        var (straight, _) = Train(4, TinyDataset.TempDirectory());

        var (firstHalf, checkpoint) = Train(2, TinyDataset.TempDirectory());
        var loaded = Checkpoint.Load(checkpoint);
        Assert.Equal(2, loaded.State.CompletedEpochs);
        using var resumed = Trainer.Resume(loaded, CPU, epochs: 4);
        using var features = Features();
        resumed.Train(features, new TrainingHooks());

        Assert.Equal(straight.State.History.Select(h => h.MeanLoss), resumed.State.History.Select(h => h.MeanLoss));
        Assert.Equal(Weights(straight), Weights(resumed));
    }

    [Fact]
    public void CancellationStopsBetweenBatchesAndKeepsTheLastCheckpoint()
    {
        var folder = TinyDataset.TempDirectory();
        var (_, checkpoint) = Train(1, folder);
        var before = File.ReadAllBytes(checkpoint);
        using var resumed = Trainer.Resume(Checkpoint.Load(checkpoint), CPU, epochs: 3);
        using var cancel = new CancellationTokenSource();
        int steps = 0;
        using var features = Features();
        Assert.Throws<OperationCanceledException>(() => resumed.Train(features,
            new TrainingHooks(checkpoint, new SynchronousProgress<TrainingProgress>(_ => { if (++steps == 2) cancel.Cancel(); })), cancel.Token));
        Assert.Equal(2, steps);
        Assert.Equal(before, File.ReadAllBytes(checkpoint));            // the interrupted epoch left no partial state
        Assert.Equal(1, Checkpoint.Load(checkpoint).State.CompletedEpochs);
    }

    [Fact]
    public void ProgressReportsEveryStepWithLearningRateAndEta()
    {
        var reports = new List<TrainingProgress>();
        using var trainer = Trainer.Start(TinyDataset.Config(2), 24, 4, 4, "f", CPU);
        using var features = Features();
        trainer.Train(features, new TrainingHooks(Progress: new SynchronousProgress<TrainingProgress>(reports.Add)));
        Assert.Equal(2 * 3, reports.Count);                              // 10 images, batch 4: 3 steps (drop_last=False)
        Assert.All(reports, r => Assert.Equal(1e-4, r.LearningRate, 1e-15));
        Assert.Equal(TimeSpan.Zero, reports[^1].Remaining);
        Assert.True(reports[0].Remaining > TimeSpan.Zero);
    }

    [Theory]
    [InlineData(0, 1e-4)]
    [InlineData(1, 1e-4)]
    [InlineData(800, 1e-4)]                                               // the official loop steps after the epoch
    [InlineData(801, 1e-5)]
    [InlineData(999, 1e-5)]
    public void StepLrDropsTenfoldAfterEpoch800AsTheOfficialLoop(int epoch, double expected) =>
        Assert.Equal(expected, Trainer.LearningRateAt(new TrainingConfig(), epoch), 1e-15);

    [Theory]
    [InlineData(799, 1e-4)]
    [InlineData(800, 1e-5)]
    public void LabV1RunsKeepTheirOneEpochEarlyStep(int epoch, double expected) =>
        Assert.Equal(expected, Trainer.LearningRateAt(new TrainingConfig { LrStepTiming = EngineBehaviour.LabV1 }, epoch), 1e-15);

    [Fact]
    public void ACheckpointFileIsNeverLeftHalfWritten()
    {
        var folder = TinyDataset.TempDirectory();
        Train(2, folder);
        // The latest and the one it replaced; no temporary file.
        Assert.Equal(["checkpoint.previous.uniad", "checkpoint.uniad"], Directory.GetFiles(folder).Select(Path.GetFileName).Order());
        Assert.Equal(1, Checkpoint.Load(Checkpoint.PreviousPath(Path.Combine(folder, RunFolder.CheckpointFile))).State.CompletedEpochs);
    }

    [Fact]
    public void AFileThatIsNotACheckpointIsRejectedClearly()
    {
        var path = Path.Combine(TinyDataset.TempDirectory(), "bogus.uniad");
        File.WriteAllText(path, "not a zip");
        var error = Assert.Throws<InvalidFileException>(() => Checkpoint.Load(path));
        Assert.Contains("not a UniAD Lab checkpoint", error.Message);

        var otherZip = Path.Combine(TinyDataset.TempDirectory(), "maps.npz");     // a zip, but not a checkpoint
        using (var zip = System.IO.Compression.ZipFile.Open(otherZip, System.IO.Compression.ZipArchiveMode.Create))
        {
            zip.CreateEntry("a/000.png.npy");
            zip.CreateEntry("b/000.png.npy");
        }
        Assert.Contains("not a UniAD Lab checkpoint", Assert.Throws<InvalidFileException>(() => Checkpoint.Load(otherZip)).Message);
    }
}
