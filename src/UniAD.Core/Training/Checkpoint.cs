using System.Text.Json;
using TorchSharp;
using TorchSharp.Modules;
using UniAD.Core;
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

/// <summary>A checkpoint is one zip file (config, state, model, optimizer, RNG states, and a SHA-256 over all of them),
/// written to a temporary file and renamed into place, so a crash mid-write never leaves a half-written checkpoint. The
/// one it replaces is kept as <see cref="PreviousPath"/>: a checkpoint damaged later (a bad disk, a truncated copy) is
/// detected by its checksum, and a resume goes back to the previous one instead of failing or starting over.</summary>
public sealed class Checkpoint
{
    private const string ConfigEntry = "config.json", StateEntry = "state.json", ModelEntry = "model.bin",
        OptimizerEntry = "optimizer.bin", GlobalRngEntry = "rng_global.bin", ShuffleRngEntry = "rng_shuffle.bin";

    /// <summary>Where the checkpoint that <paramref name="path"/> replaced is kept.</summary>
    public static string PreviousPath(string path) => Path.ChangeExtension(path, ".previous" + Path.GetExtension(path));

    /// <summary>Whether there is a checkpoint to resume from: the latest, or the one before it.</summary>
    public static bool Exists(string path) => File.Exists(path) || File.Exists(PreviousPath(path));

    /// <summary>Deletes the temporary files of a checkpoint write that a killed process left next to <paramref name="path"/>.</summary>
    public static void RemoveAbandonedWrites(string path)
    {
        var folder = Path.GetDirectoryName(Path.GetFullPath(path))!;
        if (!Directory.Exists(folder)) return;
        foreach (var stale in Directory.EnumerateFiles(folder, Path.GetFileName(path) + ".*.tmp")) File.Delete(stale);
    }

    public required UniadConfig Config { get; init; }
    public required TrainingState State { get; init; }
    private readonly Dictionary<string, byte[]> _blobs = [];

    public static void Save(string path, UniadConfig config, TrainingState state, UniadModel model,
        OptimizerHelper optimizer, Generator shuffle)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        string temporary = path + $".{Environment.ProcessId}.tmp", previous = path + ".previous.tmp";
        RemoveAbandonedWrites(path);
        var contents = new Dictionary<string, byte[]>
        {
            [ConfigEntry] = System.Text.Encoding.UTF8.GetBytes(config.ToJson()),
            [StateEntry] = JsonSerializer.SerializeToUtf8Bytes(state, UniadConfig.Json),
            [ModelEntry] = Bytes(s => model.save(s)),
            [OptimizerEntry] = Bytes(s => { using var w = new BinaryWriter(s, System.Text.Encoding.UTF8, leaveOpen: true); optimizer.save_state_dict(w); }),
            [GlobalRngEntry] = get_rng_state().data<byte>().ToArray(),
            [ShuffleRngEntry] = shuffle.get_state().data<byte>().ToArray(),
        };
        var blobs = InEntryOrder(contents);
        try
        {
            ChecksummedArchive.Write(temporary, blobs, index =>
            {
                if (index == blobs.Length / 2) FaultPoints.Reach(FaultPoints.CheckpointWrite);
            });
            // A copy rather than a move: there is never a moment without the latest checkpoint, whenever the process is
            // killed. Each file appears whole, by an atomic rename.
            if (File.Exists(path))
            {
                File.Copy(path, previous, overwrite: true);
                File.Move(previous, PreviousPath(path), overwrite: true);
            }
            File.Move(temporary, path, overwrite: true);
        }
        catch
        {
            File.Delete(temporary);                                        // e.g. a full disk: nothing half-written stays
            File.Delete(previous);
            throw;
        }
    }

    /// <summary>The latest checkpoint that is whole, falling back to the previous one when the latest is damaged or gone.</summary>
    /// <param name="fellBack">Says why the previous one is used, or null when the latest is.</param>
    /// <exception cref="InvalidFileException">Neither is a whole checkpoint; the message says what is wrong with each.</exception>
    public static Checkpoint LoadLatestGood(string path, out string? fellBack)
    {
        fellBack = null;
        string? latestProblem;
        try { return Load(path); }
        catch (InvalidFileException e) { latestProblem = e.Message; }
        var previous = PreviousPath(path);
        if (!File.Exists(previous)) throw new InvalidFileException($"{latestProblem}, and there is no previous checkpoint to go back to");
        try
        {
            var checkpoint = Load(previous);
            fellBack = $"{latestProblem}; resuming from the previous checkpoint ({Path.GetFileName(previous)}, epoch {checkpoint.State.CompletedEpochs})";
            return checkpoint;
        }
        catch (InvalidFileException e) { throw new InvalidFileException($"{latestProblem}; the previous one is no better: {e.Message}", e); }
    }

    /// <exception cref="InvalidFileException">Not a checkpoint, or a damaged one (its checksum says so).</exception>
    public static Checkpoint Load(string path)
    {
        if (!File.Exists(path)) throw new InvalidFileException($"checkpoint not found: {path}");
        Dictionary<string, byte[]> blobs;
        try { blobs = ChecksummedArchive.Read(path); }
        catch (Exception e) when (e is InvalidDataException or IOException) { throw Damaged(path, e); }
        // Checkpoints written before the checksum existed have none; every one written since does.
        if (!ChecksummedArchive.Whole(blobs, InEntryOrder(blobs)))
            throw new InvalidFileException($"checkpoint {path} is damaged: its content does not match its checksum");
        try
        {
            var checkpoint = new Checkpoint
            {
                Config = UniadConfig.FromStoredJson(System.Text.Encoding.UTF8.GetString(blobs[ConfigEntry])),
                State = JsonSerializer.Deserialize<TrainingState>(blobs[StateEntry], UniadConfig.Json)!,
            };
            foreach (var (name, bytes) in blobs) checkpoint._blobs[name] = bytes;
            return checkpoint;
        }
        catch (Exception e) when (e is InvalidDataException or KeyNotFoundException or JsonException or ArgumentException) { throw Damaged(path, e); }
    }

    private static InvalidFileException Damaged(string path, Exception e) =>
        new($"not a UniAD Lab checkpoint (or a damaged one): {path}", e);

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

    private static readonly string[] EntryOrder = [ConfigEntry, StateEntry, ModelEntry, OptimizerEntry, GlobalRngEntry, ShuffleRngEntry];

    /// <summary>The entries in the one order they are written and checksummed in.</summary>
    private static (string Name, byte[] Bytes)[] InEntryOrder(Dictionary<string, byte[]> entries) =>
        [.. EntryOrder.Where(entries.ContainsKey).Select(name => (name, entries[name]))];

    private static byte[] Bytes(Action<Stream> write)
    {
        using var buffer = new MemoryStream();
        write(buffer);
        return buffer.ToArray();
    }
}
