using System.IO.Compression;
using System.Text.Json;
using TorchSharp;
using TorchSharp.Modules;
using UniAD.Core.Configuration;
using UniAD.Core.Interop;
using UniAD.Core.Model;
using static TorchSharp.torch;

namespace UniAD.Core.Training;

/// <summary>Where a run stands after a completed epoch: enough, with the weights, optimizer moments and
/// RNG states, to continue it exactly as if it had never stopped. <see cref="Evaluations"/> holds the test-set
/// evaluations made during training (null in checkpoints written before they existed).</summary>
public sealed record TrainingState(int CompletedEpochs, long GlobalStep, int Channels, int GridHeight, int GridWidth,
    string FeatureFingerprint, List<EpochSummary> History, List<TestEvaluation>? Evaluations = null)
{
    public IReadOnlyList<TestEvaluation> TestEvaluations => Evaluations ?? [];
}

/// <summary>A checkpoint is one zip file (config, state, model, optimizer, RNG states), written to a
/// temporary file and renamed into place, so a crash mid-write never corrupts the previous checkpoint.</summary>
public sealed class Checkpoint
{
    private const string ConfigEntry = "config.json", StateEntry = "state.json", ModelEntry = "model.bin",
        OptimizerEntry = "optimizer.bin", GlobalRngEntry = "rng_global.bin", ShuffleRngEntry = "rng_shuffle.bin";

    public required UniadConfig Config { get; init; }
    public required TrainingState State { get; init; }
    private readonly Dictionary<string, byte[]> _blobs = [];

    public static void Save(string path, UniadConfig config, TrainingState state, UniadModel model,
        OptimizerHelper optimizer, Generator shuffle)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var temporary = path + $".{Environment.ProcessId}.tmp";
        using (var zip = ZipFile.Open(temporary, ZipArchiveMode.Create))
        {
            Write(zip, ConfigEntry, s => s.Write(System.Text.Encoding.UTF8.GetBytes(config.ToJson())));
            Write(zip, StateEntry, s => JsonSerializer.Serialize(s, state, UniadConfig.Json));
            Write(zip, ModelEntry, s => model.save(s));
            Write(zip, OptimizerEntry, s => { using var w = new BinaryWriter(s, System.Text.Encoding.UTF8, leaveOpen: true); optimizer.save_state_dict(w); });
            Write(zip, GlobalRngEntry, s => s.Write(get_rng_state().data<byte>().ToArray()));
            Write(zip, ShuffleRngEntry, s => s.Write(shuffle.get_state().data<byte>().ToArray()));
        }
        File.Move(temporary, path, overwrite: true);
    }

    public static Checkpoint Load(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"checkpoint not found: {path}", path);
        try
        {
            using var zip = ZipFile.OpenRead(path);
            var blobs = zip.Entries.ToDictionary(e => e.FullName, e =>
            {
                using var s = e.Open();
                using var m = new MemoryStream();
                s.CopyTo(m);
                return m.ToArray();
            });
            var checkpoint = new Checkpoint
            {
                Config = UniadConfig.FromStoredJson(System.Text.Encoding.UTF8.GetString(blobs[ConfigEntry])),
                State = JsonSerializer.Deserialize<TrainingState>(blobs[StateEntry], UniadConfig.Json)!,
            };
            foreach (var (name, bytes) in blobs) checkpoint._blobs[name] = bytes;
            return checkpoint;
        }
        catch (Exception e) when (e is InvalidDataException or KeyNotFoundException or JsonException or ArgumentException)
        {
            throw new InvalidDataException($"not a UniAD Lab checkpoint (or a damaged one): {path}", e);
        }
    }

    /// <summary>A model with this checkpoint's architecture and weights.</summary>
    public UniadModel CreateModel(Device device)
    {
        var model = new UniadModel(Config.Model, State.Channels, State.GridHeight, State.GridWidth);
        var weights = StateDict.ReadTorchSharp(new MemoryStream(_blobs[ModelEntry]));
        try
        {
            StateDict.LoadStrict(model, RenameFromBeforeOfficialNames(weights), "the checkpoint's model", "this run's model");
        }
        catch
        {
            model.Dispose();
            throw;
        }
        finally
        {
            StateDict.DisposeAll(weights.Values);
        }
        model.to(device);
        return model;
    }

    /// <summary>Checkpoints written before the transformer took the official names kept its parts in flat
    /// containers, and the sine table in the state dict; this maps them onto the current names.</summary>
    private static Dictionary<string, Tensor> RenameFromBeforeOfficialNames(Dictionary<string, Tensor> weights)
    {
        (string Old, string New)[] renames =
        [
            ("transformer.encoder_layers.", "transformer.encoder.layers."),
            ("transformer.decoder_layers.", "transformer.decoder.layers."),
            ("transformer.decoder_norm.", "transformer.decoder.norm."),
            ("transformer.shared_query.", "transformer.decoder.shared_query."),
        ];
        return weights.Where(kv => kv.Key != "pos_embed._embedding").ToDictionary(
            kv => renames.Where(r => kv.Key.StartsWith(r.Old, StringComparison.Ordinal))
                      .Select(r => r.New + kv.Key[r.Old.Length..]).FirstOrDefault() ?? kv.Key,
            kv => kv.Value);
    }

    /// <summary>Restores the optimizer moments and both RNG streams for an exact continuation.</summary>
    public void RestoreTrainingState(OptimizerHelper optimizer, Generator shuffle)
    {
        using (var reader = new BinaryReader(new MemoryStream(_blobs[OptimizerEntry]))) optimizer.load_state_dict(reader);
        set_rng_state(tensor(_blobs[GlobalRngEntry]));
        shuffle.set_state(tensor(_blobs[ShuffleRngEntry]));
    }

    private static void Write(ZipArchive zip, string name, Action<Stream> write)
    {
        using var stream = zip.CreateEntry(name, CompressionLevel.Fastest).Open();
        write(stream);
    }
}
