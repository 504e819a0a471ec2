using UniAD.Core.Data;
using UniAD.Core.Evaluation;
using UniAD.Core.Training;
using static TorchSharp.torch;

namespace UniAD.Core.Tests.Training;

/// <summary>A checkpoint damaged after it was written (truncated, a byte flipped) is caught by its checksum; a resume
/// says so and goes back to the previous checkpoint, and the run still ends with the numbers of an uninterrupted one.</summary>
[Collection(GlobalTorchRng.Name)]
public class CheckpointDamageTests(TinyDataset data) : IClassFixture<TinyDataset>
{
    private ExperimentResult Run(string output, int epochs, bool resume = false, List<string>? warnings = null) =>
        Experiment.Run(new ExperimentRequest(TinyDataset.Config(epochs), MvtecLayout.Read(data.Root), output, CPU, Resume: resume),
            new ExperimentHooks(Warning: warnings is null ? null : warnings.Add));

    private static void Damage(string path, string how)
    {
        var bytes = File.ReadAllBytes(path);
        if (how == "truncated") File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);
        else
        {
            bytes[bytes.Length / 2] ^= 0x5a;                               // inside the optimizer's state, the largest entry
            File.WriteAllBytes(path, bytes);
        }
    }

    [Theory]
    [InlineData("truncated")]
    [InlineData("a flipped byte")]
    public void AResumeGoesBackToThePreviousCheckpointAndEndsAsTheUninterruptedRun(string how)
    {
        var straight = Run(TinyDataset.TempDirectory(), epochs: 4);

        var output = TinyDataset.TempDirectory();
        Run(output, epochs: 3);                                            // checkpoints after epochs 1, 2, 3 (every epoch)
        var latest = Path.Combine(output, RunFolder.CheckpointFile);
        Damage(latest, how);
        Assert.Throws<InvalidFileException>(() => Checkpoint.Load(latest));

        var warnings = new List<string>();
        var resumed = Run(output, epochs: 4, resume: true, warnings);
        var warning = Assert.Single(warnings);
        Assert.Contains("damaged", warning);
        Assert.EndsWith("resuming from the previous checkpoint (checkpoint.previous.uniad, epoch 2)", warning);
        // Same seed, data and device: bit-identical to the run that was never interrupted.
        Assert.Equal(straight.State.History.Select(h => h.MeanLoss), resumed.State.History.Select(h => h.MeanLoss));
        Assert.Equal(straight.Report!.Mean.ImageAuroc, resumed.Report!.Mean.ImageAuroc);
        Assert.Equal(4, Checkpoint.Load(latest).State.CompletedEpochs);
    }

    [Fact]
    public void WhenNoCheckpointIsWholeTheResumeRefusesInsteadOfStartingOver()
    {
        var output = TinyDataset.TempDirectory();
        Run(output, epochs: 2);
        var latest = Path.Combine(output, RunFolder.CheckpointFile);
        Damage(latest, "truncated");
        Damage(Checkpoint.PreviousPath(latest), "a flipped byte");
        var before = File.ReadAllBytes(latest);
        var error = Assert.Throws<InvalidFileException>(() => Run(output, epochs: 3, resume: true));
        Assert.Contains("the previous one is no better", error.Message);
        Assert.Equal(before, File.ReadAllBytes(latest));                   // nothing trained, nothing overwritten
    }
}
