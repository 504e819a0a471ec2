using System.Collections;
using TorchSharp;
using TorchSharp.PyBridge;
using UniAD.Core.Backbones;
using UniAD.Core.Configuration;
using UniAD.Core.Data;
using UniAD.Core.Evaluation;
using UniAD.Core.Interop;
using UniAD.Core.Training;
using static TorchSharp.torch;

namespace UniAD.Core.Tests.Interop;

/// <summary>A lab run with EfficientNet-B4 exported to the official layout, read by real PyTorch, and imported back;
/// and every kind of bad import refused with the keys named and nothing written.</summary>
[Collection(GlobalTorchRng.Name)]
public sealed class OfficialRunTests : IClassFixture<OfficialRunTests.TrainedB4Run>
{
    /// <summary>The tiny dataset, a B4 with random weights standing in for ImageNet's, and a lab run trained on them
    /// with 4 + 4 layers, so that its key names are those of the official MVTec-AD module.</summary>
    public sealed class TrainedB4Run : IDisposable
    {
        public TinyDataset Data { get; } = new();
        public string Folder { get; } = TestScratch.NewFolder("uniad-official");
        public string Run => Path.Combine(Folder, "run");
        public string Export => Path.Combine(Folder, "export");
        public UniadConfig Config { get; }

        public TrainedB4Run()
        {
            var weights = RandomBackbones.EfficientNetB4(Path.Combine(Folder, "efficientnet-b4-random.safetensors"));
            var tiny = TinyDataset.Config(epochs: 2);
            Config = tiny with
            {
                Backbone = new BackboneConfig { Kind = BackboneKind.EfficientnetB4, OutLayers = [2, 3], InputSize = [64, 64], WeightsPath = weights },
                Model = tiny.Model with { EncoderLayers = 4, DecoderLayers = 4 },
                Training = tiny.Training with { CacheFeaturesHalf = false, EvaluateEveryEpochs = 1 },
            };
            Experiment.Run(new ExperimentRequest(Config, Dataset, Run, CPU), new ExperimentHooks());
            OfficialRun.Export(Run, Export);
        }

        public AnomalyDataset Dataset => MvtecLayout.Read(Data.Root);

        public void Dispose()
        {
            Data.Dispose();
            Directory.Delete(Folder, recursive: true);
        }
    }

    private readonly TrainedB4Run _trained;

    public OfficialRunTests(TrainedB4Run trained) => _trained = trained;

    private string ExportedCheckpoint => Path.Combine(_trained.Export, OfficialRun.ExportCheckpointFile);
    private string ExportedYaml => Path.Combine(_trained.Export, OfficialRun.ExportConfigFile);

    private OfficialImportResult Import(string checkpoint, string yaml, string output) =>
        OfficialRun.Import(new OfficialImportRequest(checkpoint, yaml, _trained.Dataset, output, CPU), new ExperimentHooks());

    [Fact]
    public void TheExportHasExactlyTheOfficialKeysWhenPyTorchReadsIt()
    {
        var layout = OfficialTorch.Keys(ExportedCheckpoint);
        Assert.Equal(["arch", "best_metric", "epoch", "state_dict"], layout.GetProperty("top").EnumerateArray().Select(k => k.GetString()));
        Assert.Equal(2, layout.GetProperty("epoch").GetInt32());
        var keys = layout.GetProperty("state_dict").EnumerateObject().Select(p => p.Name).ToHashSet();

        // The official module's own key names (the parity fixture: MVTec-AD shapes, the same 4 + 4 layers).
        var official = PyTorchUnpickler.UnpickleStateDict(OfficialTorch.Fixture("recon_weights.pth")).Keys.Cast<string>()
            .Select(k => "module.reconstruction." + k).ToHashSet();
        Assert.Equal(official.Order(), keys.Where(k => k.StartsWith("module.reconstruction.")).Order());
        using var b4 = new EfficientNetB4([1, 2, 3, 4, 5]);
        Assert.Equal(b4.state_dict().Keys.Select(k => "module.backbone." + k).Order(), keys.Where(k => k.StartsWith("module.backbone.")).Order());
        Assert.Equal(official.Count + b4.state_dict().Count, keys.Count);
    }

    [Fact]
    public void ExportThenImportGivesIdenticalTensorsAndAnomalyMaps()
    {
        var output = Path.Combine(_trained.Folder, "round-trip");
        var result = Import(ExportedCheckpoint, ExportedYaml, output);

        var differences = ConfigDiff.Differences(_trained.Config, result.Config).Select(d => d.Key).ToList();
        Assert.Equal(["backbone.weights_path", "training.checkpoint_every_epochs"], differences);   // neither is in the official YAML
        var original = Checkpoint.Load(Path.Combine(_trained.Run, RunFolder.CheckpointFile));
        var imported = Checkpoint.Load(Path.Combine(output, RunFolder.CheckpointFile));
        Assert.Equal(2, imported.State.CompletedEpochs);
        using var a = original.CreateModel(CPU);
        using var b = imported.CreateModel(CPU);
        var (sa, sb) = (a.state_dict(), b.state_dict());
        Assert.Equal(sa.Keys.Order(), sb.Keys.Order());
        Assert.All(sa.Keys, k => Assert.True(sa[k].allclose(sb[k], 0, 0), k));

        var mapsBefore = AnomalyMapArchive.Load(Path.Combine(_trained.Run, RunFolder.AnomalyMapsFile));
        var mapsAfter = AnomalyMapArchive.Load(Path.Combine(output, RunFolder.AnomalyMapsFile));
        Assert.Equal(mapsBefore.Keys.Order(), mapsAfter.Keys.Order());
        Assert.All(mapsBefore.Keys, k => Assert.True(mapsBefore[k].allclose(mapsAfter[k], 0, 0), k));   // bit-identical: same weights, features, device

        Assert.Equal(OfficialRun.OfficialSource, result.Provenance.Source);
        Assert.Equal(64, result.Provenance.Sha256.Length);
        Assert.True(File.Exists(Path.Combine(output, RunFolder.ProvenanceFile)));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]                                                    // the format of the torch 1.5 the official code pins
    public void ACheckpointPyTorchWroteInTheOfficialLayoutImports(bool legacyFormat)
    {
        // The exported tensors, re-saved by real PyTorch the way tools/train_val.py does (with an AdamW state).
        var folder = TestScratch.NewFolder("uniad-torch-ckpt");
        var plain = Path.Combine(folder, "weights.pth");
        using (var exported = OfficialCheckpoint.Read(ExportedCheckpoint))
        {
            var flat = new Hashtable();
            foreach (var (k, v) in exported.Part(OfficialCheckpoint.Backbone)) flat[$"backbone.{k}"] = v;
            foreach (var (k, v) in exported.Part(OfficialCheckpoint.Reconstruction)) flat[k] = v;
            PyTorchPickler.PickleStateDict(plain, flat);
        }
        var checkpoint = Path.Combine(folder, "ckpt.pth.tar");
        OfficialTorch.Wrap(plain, checkpoint, legacyFormat);
        Assert.Equal(legacyFormat ? TorchFile.Format.LegacyPickle : TorchFile.Format.Zip, TorchFile.FormatOf(checkpoint));
        var output = Path.Combine(folder, "run");
        var result = Import(checkpoint, ExportedYaml, output);
        Assert.Equal(7, result.Provenance.Epoch);
        Assert.Equal(0.875, result.Provenance.BestMetric!.Value, 1e-12);

        // The same weights as the export's: the same anomaly maps.
        var exportedMaps = AnomalyMapArchive.Load(Path.Combine(_trained.Run, RunFolder.AnomalyMapsFile));
        var importedMaps = AnomalyMapArchive.Load(Path.Combine(output, RunFolder.AnomalyMapsFile));
        Assert.All(exportedMaps.Keys, k => Assert.True(exportedMaps[k].allclose(importedMaps[k], 0, 0), k));
    }

    public static TheoryData<string, string, string> BadInputs => new()
    {
        // what is wrong, the YAML change (from → to, or "" for none), the start of the message
        { "a text file", "", "not-a-checkpoint.pth.tar is not a PyTorch file: it is neither the zip archive" },
        { "a bare state dict", "", "recon_weights.pth is a bare state dict, not a checkpoint of the official code" },
        { "shapes that differ from the YAML", "hidden_dim: 32→hidden_dim: 64", "ckpt.pth.tar is not a UniAD reconstruction of this config: shape mismatches (" },
        { "layers the checkpoint lacks", "num_decoder_layers: 4→num_decoder_layers: 5", "ckpt.pth.tar is not a UniAD reconstruction of this config: missing keys (" },
        { "layers left over", "num_encoder_layers: 4→num_encoder_layers: 3", "ckpt.pth.tar is not a UniAD reconstruction of this config: unexpected keys (" },
        { "a backbone the lab lacks", "models.backbones.efficientnet_b4→models.backbones.resnet18", "config.yaml: net backbone type models.backbones.resnet18: the lab has no such backbone" },
        { "backbone taps that differ", "outlayers: [2, 3]→outlayers: [2, 3, 4]", "ckpt.pth.tar is not a UniAD reconstruction of this config: shape mismatches (3): module.reconstruction.input_proj.weight is [32, 88] in the file, [32, 248] in the model" },
        { "not YAML", "dataset:→dataset: [", "config.yaml: not valid YAML" },
    };

    [Theory]
    [MemberData(nameof(BadInputs))]
    public void ABadImportNamesTheProblemInOneLineAndStoresNothing(string what, string yamlChange, string message)
    {
        var folder = TestScratch.NewFolder("uniad-bad-import");
        var checkpoint = what switch
        {
            "a text file" => Path.Combine(folder, "not-a-checkpoint.pth.tar"),
            "a bare state dict" => OfficialTorch.Fixture("recon_weights.pth"),
            _ => ExportedCheckpoint,
        };
        if (what == "a text file") File.WriteAllText(checkpoint, "epoch: 7\n");
        var yaml = Path.Combine(folder, "config.yaml");
        var text = File.ReadAllText(ExportedYaml);
        if (yamlChange.Length > 0)
        {
            var (from, to) = (yamlChange.Split('→')[0], yamlChange.Split('→')[1]);
            Assert.Contains(from, text);
            text = text.Replace(from, to);
        }
        File.WriteAllText(yaml, text);
        var output = Path.Combine(folder, "run");
        var error = Assert.ThrowsAny<Exception>(() => Import(checkpoint, yaml, output));
        Assert.True(error is InvalidFileException, $"{what}: {error.GetType().Name}: {error.Message}");
        Assert.StartsWith(message, error.Message);
        Assert.DoesNotContain('\n', error.Message);
        Assert.False(Directory.Exists(output), $"{what}: the run folder was created");
    }
}
