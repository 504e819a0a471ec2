using System.Collections;
using System.Security.Cryptography;
using System.Text.Json;
using TorchSharp.PyBridge;
using UniAD.Core.Backbones;
using UniAD.Core.Configuration;
using UniAD.Core.Data;
using UniAD.Core.Evaluation;
using UniAD.Core.Features;
using UniAD.Core.Model;
using UniAD.Core.Training;
using static TorchSharp.torch;

namespace UniAD.Core.Interop;

/// <param name="SaveBackboneAs">Also keep the checkpoint's EfficientNet-B4 ImageNet weights here, as the backbone weights
/// file for later runs.</param>
/// <param name="CheckpointName">The file's name as its user knows it (an upload is stored under another), for messages and the record.</param>
public sealed record OfficialImportRequest(string CheckpointPath, string ConfigPath, AnomalyDataset Dataset, string OutputDirectory,
    Device Device, string? FeatureCacheDirectory = null, string? SaveBackboneAs = null, string? CheckpointName = null);

/// <summary>Where an imported run came from, written beside it as <see cref="RunFolder.Provenance"/>.</summary>
public sealed record OfficialProvenance(string Source, string FileName, string Sha256, int Epoch, double? BestMetric, string BackboneWeights);

public sealed record OfficialImportResult(UniadConfig Config, OfficialProvenance Provenance, ExperimentResult Result)
{
    public EvaluationReport Report => Result.Report!;
}

/// <summary>Moves runs between the lab and the official code (docs/model.md section 6): an official checkpoint and its YAML
/// become a finished lab run, evaluated on a dataset of the lab; a lab run becomes a <c>ckpt.pth.tar</c> and
/// <c>config.yaml</c> that the official <c>load_state</c> loads with no key missing or left over.</summary>
public static class OfficialRun
{
    public const string ExportCheckpointFile = "ckpt.pth.tar", ExportConfigFile = "config.yaml", OfficialSource = "the official UniAD code";

    /// <summary>What an import would record, after every check passed.</summary>
    public sealed record Checked(UniadConfig Config, int Epoch, string Sha256);

    /// <summary>Every check an import makes (YAML, checkpoint, each key and shape) without writing anything: what a lab
    /// runs before it queues the import.</summary>
    /// <exception cref="InvalidFileException">The YAML or the checkpoint, with the keys or setting at fault named.</exception>
    /// <param name="checkpointName">What to call the files in messages (an upload is stored under another name).</param>
    public static Checked Check(string checkpointPath, string configPath, string? checkpointName = null, string? configName = null)
    {
        var config = ReadConfig(configPath, configName);
        using var checkpoint = OfficialCheckpoint.Read(checkpointPath, checkpointName);
        using var model = LoadChecked(config, checkpoint, checkpointName ?? Path.GetFileName(checkpointPath));
        return new Checked(config, checkpoint.Epoch, Sha256(checkpointPath));
    }

    /// <summary>The reconstruction of <paramref name="checkpoint"/>, loaded strictly, after its backbone was checked too.</summary>
    private static UniadModel LoadChecked(UniadConfig config, OfficialCheckpoint checkpoint, string name)
    {
        var leftOver = checkpoint.Parts.Where(p => p.Key is not (OfficialCheckpoint.Backbone or OfficialCheckpoint.Reconstruction))
            .SelectMany(p => p.Value.Keys.Select(k => $"{OfficialCheckpoint.Ddp}{p.Key}{(p.Key.Length > 0 ? "." : "")}{k}")).Order(StringComparer.Ordinal).ToList();
        if (leftOver.Count > 0)
            throw new InvalidFileException($"{name} is not a UniAD checkpoint of this config: unexpected keys ({leftOver.Count}): {string.Join(", ", leftOver)}");
        var (channels, gridHeight, gridWidth) = FeatureExtractor.ShapeOf(config.Backbone);
        var model = new UniadModel(config.Model, channels, gridHeight, gridWidth);
        try
        {
            StateDict.LoadStrict(model, checkpoint.Part(OfficialCheckpoint.Reconstruction), name, "a UniAD reconstruction of this config",
                keyPrefix: $"{OfficialCheckpoint.Ddp}{OfficialCheckpoint.Reconstruction}.");
            EfficientNetB4Weights.FromStateDict(checkpoint.Part(OfficialCheckpoint.Backbone), config.Backbone.OutLayers, name,
                keyPrefix: $"{OfficialCheckpoint.Ddp}{OfficialCheckpoint.Backbone}.").Dispose();
            return model;
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>Checks everything first (YAML, checkpoint, every key and shape); only then writes the run folder.</summary>
    /// <exception cref="InvalidFileException">The YAML or the checkpoint, with the keys or setting at fault named.</exception>
    public static OfficialImportResult Import(OfficialImportRequest request, ExperimentHooks hooks, CancellationToken cancel = default)
    {
        var config = ReadConfig(request.ConfigPath);
        string name = request.CheckpointName ?? Path.GetFileName(request.CheckpointPath);
        var output = new RunFolder(request.OutputDirectory);
        if (File.Exists(output.Checkpoint))
            throw new ConflictException($"{output} already holds a run ({RunFolder.CheckpointFile}): choose another output folder");
        if (request.Dataset.Test.Count == 0) throw new DatasetException($"the dataset in {request.Dataset.Root} has no test images to evaluate the import on");

        using var checkpoint = OfficialCheckpoint.Read(request.CheckpointPath, name);
        var model = LoadChecked(config, checkpoint, name);
        var (channels, gridHeight, gridWidth) = FeatureExtractor.ShapeOf(config.Backbone);

        // Valid: from here on the run folder is written.
        Directory.CreateDirectory(output.Folder);
        var backbonePath = Path.GetFullPath(output.Backbone);
        SaveSorted(checkpoint.Part(OfficialCheckpoint.Backbone), backbonePath);
        if (request.SaveBackboneAs is { } keep)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(keep))!);
            File.Copy(backbonePath, keep, overwrite: true);
        }
        config = config with { Backbone = config.Backbone with { WeightsPath = backbonePath } };
        var provenance = new OfficialProvenance(OfficialSource, name, Sha256(request.CheckpointPath), checkpoint.Epoch, checkpoint.BestMetric,
            request.SaveBackboneAs is { } saved ? Path.GetFullPath(saved) : backbonePath);

        using var extractor = new FeatureExtractor(config.Backbone, request.Device);
        using var testing = new TestSetEvaluation(extractor, output.FeatureCache(request.FeatureCacheDirectory), request.Dataset, config, output,
            request.Device, hooks, cancel);
        using var trainer = Trainer.FromWeights(config, model,
            new TrainingState(checkpoint.Epoch, 0, channels, gridHeight, gridWidth, extractor.Fingerprint, []), request.Device);
        output.WriteRunFiles(config, request.Dataset);
        var (report, evaluation) = testing.EvaluateAndSave(trainer.Model, checkpoint.Epoch);
        output.WriteEvaluations([evaluation]);
        trainer.SaveCheckpoint(output.Checkpoint, trainer.State with { Evaluations = [evaluation] });
        File.WriteAllText(output.Provenance, JsonSerializer.Serialize(provenance, UniadConfig.Json));
        return new OfficialImportResult(config, provenance, new ExperimentResult(trainer.State, report, [evaluation]));
    }

    public static UniadConfig ReadConfig(string path, string? name = null)
    {
        if (!File.Exists(path)) throw new InvalidFileException($"config not found: {path}");
        try { return OfficialConfig.FromYaml(File.ReadAllText(path)); }
        catch (InvalidFileException e) { throw new InvalidFileException($"{name ?? Path.GetFileName(path)}: {e.Message}", e); }
    }

    /// <summary>Writes <see cref="ExportCheckpointFile"/> and <see cref="ExportConfigFile"/> for a trained run.</summary>
    /// <exception cref="InvalidFileException">A run whose backbone the official code lacks.</exception>
    public static void Export(string runFolder, string outputDirectory)
    {
        var checkpoint = Checkpoint.Load(new RunFolder(runFolder).Checkpoint);
        var config = checkpoint.Config;
        var yaml = OfficialConfigWriter.ToYaml(config);                          // refuses a backbone the official code lacks
        using var model = checkpoint.CreateModel(CPU);
        using var backbone = EfficientNetB4Weights.FromFile(config.Backbone.WeightsPath, config.Backbone.OutLayers);
        var best = TestEvaluation.BestOnTest(checkpoint.State.TestEvaluations);
        using var official = new OfficialCheckpoint
        {
            Epoch = checkpoint.State.CompletedEpochs, BestMetric = best?.KeyMetric,
            Parts = new Dictionary<string, Dictionary<string, Tensor>>
            {
                [OfficialCheckpoint.Backbone] = backbone.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.detach().clone()),
                [OfficialCheckpoint.Reconstruction] = model.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.detach().clone()),
            },
        };
        Directory.CreateDirectory(outputDirectory);
        official.Write(Path.Combine(outputDirectory, ExportCheckpointFile), Arch());
        File.WriteAllText(Path.Combine(outputDirectory, ExportConfigFile), yaml);
    }

    /// <summary>What the official code stores as <c>arch</c> (its <c>net</c> list); it never reads it back.</summary>
    private static IList Arch() => new ArrayList
    {
        new Hashtable { ["name"] = OfficialCheckpoint.Backbone, ["type"] = OfficialConfig.EfficientNetB4Type },
        new Hashtable { ["name"] = "neck", ["type"] = "models.necks.MFCN" },
        new Hashtable { ["name"] = OfficialCheckpoint.Reconstruction, ["type"] = "models.reconstructions.UniAD" },
    };

    /// <summary>Safetensors with the keys in order, so the same weights always give the same file (and feature-cache key).</summary>
    private static void SaveSorted(IReadOnlyDictionary<string, Tensor> tensors, string path) =>
        Safetensors.SaveStateDict(path, tensors.OrderBy(kv => kv.Key, StringComparer.Ordinal).ToDictionary(kv => kv.Key, kv => kv.Value));

    private static string Sha256(string path)
    {
        using var file = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(file));
    }
}
