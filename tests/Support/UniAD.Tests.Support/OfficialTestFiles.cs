using UniAD.Core.Configuration;
using UniAD.Core.Data;
using UniAD.Core.Interop;
using UniAD.Core.Training;
using static TorchSharp.torch;

namespace UniAD.Tests;

/// <summary>Files in the official format for tests of the lab's import: a one-epoch EfficientNet-B4 run (random weights
/// standing in for ImageNet's) of the tiny dataset, exported as <c>ckpt.pth.tar</c> and <c>config.yaml</c>.</summary>
public static class OfficialTestFiles
{
    public sealed record Exported(string Checkpoint, string Yaml, double MeanImageAuroc);

    public static Exported TinyEfficientNetB4Run(string folder)
    {
        using var tiny = new TinyDataset();
        var weights = RandomBackbones.EfficientNetB4(Path.Combine(folder, "b4.safetensors"));
        var config = TinyDataset.Config(epochs: 1) with
        {
            Backbone = new BackboneConfig { Kind = BackboneKind.EfficientnetB4, OutLayers = [2, 3], InputSize = [64, 64], WeightsPath = weights },
            Training = TinyDataset.Config().Training with { Epochs = 1, CacheFeaturesHalf = false },
        };
        var run = Path.Combine(folder, "run");
        var result = Experiment.Run(new ExperimentRequest(config, MvtecLayout.Read(tiny.Root), run, CPU), new ExperimentHooks());
        var export = Path.Combine(folder, "export");
        OfficialRun.Export(run, export);
        return new Exported(Path.Combine(export, OfficialRun.ExportCheckpointFile), Path.Combine(export, OfficialRun.ExportConfigFile),
            result.Report!.Mean.ImageAuroc);
    }
}
