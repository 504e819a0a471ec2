using System.Text.Json;
using UniAD.Core.Configuration;
using UniAD.Core.Evaluation;
using UniAD.Core.Training;
using static TorchSharp.torch;

namespace UniAD.Core.PatchCore;

/// <summary>Where a PatchCore run's bank came from: its size, the patch grid, the features it was built from, and the
/// coreset's picks among the training patches, in the order they were picked.</summary>
public sealed record MemoryBankState(int Patches, int Dimension, int GridHeight, int GridWidth, string FeatureFingerprint,
    long TrainingPatches, int[] Picks, double CoresetSeconds);

/// <summary>A PatchCore run's counterpart of a UniAD checkpoint: the memory bank (its patch features as <c>bank.npy</c>,
/// float32, readable by numpy), the coreset's projection (<c>projection.npy</c>, D×d, when there was one), the config and
/// <see cref="MemoryBankState"/>, in one checksummed zip written whole or not at all. With it, a run is scored again
/// (<c>uniad eval</c>, re-scoring) or applied to new images (<c>uniad predict</c>) without repeating the coreset.</summary>
public sealed class MemoryBank : IDisposable
{
    private const string ConfigEntry = "config.json", StateEntry = "state.json", BankEntry = "bank.npy", ProjectionEntry = "projection.npy";

    public required UniadConfig Config { get; init; }
    public required MemoryBankState State { get; init; }
    /// <summary>M×D float32 on the CPU.</summary>
    public required Tensor Patches { get; init; }
    /// <summary>D×d, or null when the coreset measured distances on the features themselves.</summary>
    public float[]? Projection { get; init; }

    /// <summary>Whether <paramref name="path"/> is a memory bank rather than a UniAD checkpoint (read cheaply: the entry names).</summary>
    public static bool IsMemoryBank(string path)
    {
        try
        {
            using var zip = System.IO.Compression.ZipFile.OpenRead(path);
            return zip.GetEntry(BankEntry) is not null;
        }
        catch (Exception e) when (e is InvalidDataException or IOException) { return false; }
    }

    public void Save(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var temporary = path + $".{Environment.ProcessId}.tmp";
        try
        {
            ChecksummedArchive.Write(temporary, Entries());
            File.Move(temporary, path, overwrite: true);
        }
        catch
        {
            File.Delete(temporary);                                        // a full disk: nothing half-written stays
            throw;
        }
    }

    private List<(string Name, byte[] Bytes)> Entries()
    {
        using var bank = Patches.to(float32).contiguous();
        var entries = new List<(string, byte[])>
        {
            (ConfigEntry, System.Text.Encoding.UTF8.GetBytes(Config.ToJson())),
            (StateEntry, JsonSerializer.SerializeToUtf8Bytes(State, UniadConfig.Json)),
            (BankEntry, Npy(bank.shape, bank.data<float>().ToArray())),
        };
        if (Projection is not null) entries.Add((ProjectionEntry, Npy([State.Dimension, Projection.Length / State.Dimension], Projection)));
        return entries;
    }

    private static byte[] Npy(long[] shape, float[] values)
    {
        using var buffer = new MemoryStream();
        AnomalyMapArchive.WriteNpy(buffer, shape, values);
        return buffer.ToArray();
    }

    /// <exception cref="InvalidFileException">Not a memory bank, or a damaged one (its checksum says so).</exception>
    public static MemoryBank Load(string path)
    {
        if (!File.Exists(path)) throw new InvalidFileException($"memory bank not found: {path}");
        Dictionary<string, byte[]> entries;
        try { entries = ChecksummedArchive.Read(path); }
        catch (Exception e) when (e is InvalidDataException or IOException) { throw Damaged(path, e); }
        string[] order = [ConfigEntry, StateEntry, BankEntry, ProjectionEntry];
        if (!ChecksummedArchive.Whole(entries, order.Where(entries.ContainsKey).Select(n => (n, entries[n]))))
            throw new InvalidFileException($"memory bank {path} is damaged: its content does not match its checksum");
        try
        {
            var state = JsonSerializer.Deserialize<MemoryBankState>(entries[StateEntry], UniadConfig.Json)!;
            float[]? projection = null;
            if (entries.TryGetValue(ProjectionEntry, out var stored))
                using (var matrix = AnomalyMapArchive.ReadNpy(new MemoryStream(stored), ProjectionEntry)) projection = matrix.data<float>().ToArray();
            return new MemoryBank
            {
                Config = UniadConfig.FromStoredJson(System.Text.Encoding.UTF8.GetString(entries[ConfigEntry])),
                State = state,
                Patches = AnomalyMapArchive.ReadNpy(new MemoryStream(entries[BankEntry]), BankEntry),
                Projection = projection,
            };
        }
        catch (Exception e) when (e is InvalidDataException or KeyNotFoundException or JsonException or ArgumentException or FormatException)
        {
            throw Damaged(path, e);
        }
    }

    private static InvalidFileException Damaged(string path, Exception e) => new($"not a UniAD Lab memory bank (or a damaged one): {path}", e);

    public void Dispose() => Patches.Dispose();
}
