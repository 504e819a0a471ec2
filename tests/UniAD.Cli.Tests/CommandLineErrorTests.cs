using UniAD.Tests;

namespace UniAD.Cli.Tests;

/// <summary>Mistakes a user can make before any model exists: each is one line on stderr and exit code 1.</summary>
public sealed class CommandLineErrorTests : IDisposable
{
    private readonly string _folder = TestScratch.NewFolder("uniad-cli-errors");

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void TrainOnAMissingDataFolderNamesIt() =>
        Uniad.FailsWithOneLine(["train", "--data", "/no/such/folder", "--out", Path.Combine(_folder, "run")], "/no/such/folder");

    [Fact]
    public void TrainOnACategoryWithoutTrainingImagesNamesIt()
    {
        Directory.CreateDirectory(Path.Combine(_folder, "data", "screw", "train", "good"));
        Uniad.FailsWithOneLine(["train", "--data", Path.Combine(_folder, "data"), "--out", Path.Combine(_folder, "run")],
            "'screw' has no training images");
    }

    [Fact]
    public void EvalOfAFileThatIsNotACheckpointIsRefused()
    {
        var file = Path.Combine(_folder, "checkpoint.uniad");
        File.WriteAllText(file, "not a checkpoint");
        Uniad.FailsWithOneLine(["eval", "--checkpoint", file, "--data", _folder], "not a UniAD Lab checkpoint", file);
    }

    [Fact]
    public void AConfigFileThatIsNotJsonIsNamed()
    {
        var file = Path.Combine(_folder, "config.json");
        File.WriteAllText(file, "{ not json");
        Uniad.FailsWithOneLine(["info", "--config", file], file);
    }

    [Fact]
    public void AnUnknownImageScoreIsNamed() =>
        Uniad.FailsWithOneLine(["eval", "--checkpoint", Path.Combine(_folder, "checkpoint.uniad"), "--data", _folder,
            "--image-score", "median"], "'median'");
}
