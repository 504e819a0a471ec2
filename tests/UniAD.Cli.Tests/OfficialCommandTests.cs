using UniAD.Core.Configuration;
using UniAD.Core.Interop;
using UniAD.Core.Training;

namespace UniAD.Cli.Tests;

/// <summary><c>uniad export-official</c> and <c>import-official</c> as a user runs them.</summary>
public class OfficialCommandTests(TrainedRun trained) : IClassFixture<TrainedRun>
{
    [Fact]
    public void AnEfficientNetB4RunGoesToTheOfficialFormatAndComesBackAsAnEvaluatedRun()
    {
        var folder = TestScratch.NewFolder("uniad-cli-official");
        var weights = RandomBackbones.EfficientNetB4(Path.Combine(folder, "b4.safetensors"));
        var tiny = TinyDataset.Config(epochs: 1);
        var config = Path.Combine(folder, "b4.json");
        File.WriteAllText(config, (tiny with
        {
            Backbone = new BackboneConfig { Kind = BackboneKind.EfficientnetB4, OutLayers = [2, 3], InputSize = [64, 64], WeightsPath = weights },
        }).ToJson());
        var run = Path.Combine(folder, "run");
        Uniad.Succeeds("train", "--data", trained.DatasetVersion, "--out", run, "--config", config);

        var export = Path.Combine(folder, "export");
        var exported = Uniad.Succeeds("export-official", run, "--out", export);
        Assert.Contains("ckpt.pth.tar", exported.StdoutWords);
        var kept = Path.Combine(folder, "weights", "efficientnet-b4.safetensors");
        var imported = Path.Combine(folder, "imported");
        var result = Uniad.Succeeds("import-official", Path.Combine(export, OfficialRun.ExportCheckpointFile),
            "--config", Path.Combine(export, OfficialRun.ExportConfigFile), "--data", trained.DatasetVersion, "--out", imported,
            "--save-backbone", kept);
        Assert.Contains("imported ckpt.pth.tar (sha256 ", result.StdoutWords);
        Assert.Contains("fabric", result.Stdout);
        Assert.True(File.Exists(kept));
        foreach (var file in new[] { RunFolder.CheckpointFile, RunFolder.ResultsJsonFile, RunFolder.AnomalyMapsFile, RunFolder.ProvenanceFile })
            Assert.True(File.Exists(Path.Combine(imported, file)), file);
    }

    [Fact]
    public void ExportingARunWhoseBackboneTheOfficialCodeLacksIsOneLine() =>
        Uniad.FailsWithOneLine(["export-official", trained.RunFolder, "--out", trained.NewPath("export-resnet")],
            "backbone Resnet18: the official code has no such backbone");

    [Fact]
    public void ImportingWithAYamlTheLabCannotFollowIsOneLineAndCreatesNothing()
    {
        var yaml = trained.NewPath("sgd.yaml");
        File.WriteAllText(yaml, "trainer: {optimizer: {type: SGD}}\n");
        var output = trained.NewPath("imported-sgd");
        Uniad.FailsWithOneLine(["import-official", trained.Checkpoint, "--config", yaml, "--data", trained.DatasetVersion, "--out", output],
            "sgd.yaml: trainer.optimizer.type SGD: the lab has AdamW only");
        Assert.False(Directory.Exists(output));
    }
}
