
namespace UniAD.Cli.Tests;

/// <summary>Mistakes a user can make before any model exists: each is one line on stderr and exit code 1.</summary>
public sealed class CommandLineErrorTests : IDisposable
{
    private readonly string _folder = TestScratch.NewFolder("uniad-cli-errors");

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void TrainOnAMissingDataFolderNamesIt() =>
        Uniad.FailsWithOneLine(["train", "--data", "/no/such/folder", "--out", Path.Combine(_folder, "run")], "/no/such/folder");

    [Theory]
    [InlineData("model.heads=3", "model.heads 3 must divide model.hidden_dim 256")]
    [InlineData("backbone.out_layers=[9]", "backbone.out_layers [9]: Resnet18 has layers 1 to 4; give distinct ones")]
    [InlineData("model.dropout=2", "model.dropout 2 must be in [0, 1)")]
    public void AConfigTheEngineCannotTrainIsRefusedBeforeAnyWork(string assignment, string problem)
    {
        var output = Path.Combine(_folder, "run");
        Uniad.FailsWithOneLine(["train", "--data", "/no/such/folder", "--out", output, "--preset", "quick", "--set", assignment], problem);
        Assert.False(Directory.Exists(output));                             // refused before the data was even looked at
    }

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
    public void AConfigFileWithAKeyThisCodeDoesNotKnowIsRefusedWithTheKey()
    {
        var file = Path.Combine(_folder, "config.json");
        var config = System.Text.Json.Nodes.JsonNode.Parse(new Core.Configuration.UniadConfig().ToJson())!;
        config["training"]!["epoch"] = 5;                  // a typo of epochs: dropped, it would train 1,000
        File.WriteAllText(file, config.ToJsonString());
        Uniad.FailsWithOneLine(["info", "--config", file], file, "'training.epoch' is not a config key this code knows");
    }

    [Fact]
    public void AnUnknownImageScoreIsNamed() =>
        Uniad.FailsWithOneLine(["eval", "--checkpoint", Path.Combine(_folder, "checkpoint.uniad"), "--data", _folder,
            "--image-score", "median"], "'median'");
}
