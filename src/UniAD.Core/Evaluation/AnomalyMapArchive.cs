using System.IO.Compression;
using System.Text;
using System.Text.RegularExpressions;
using static TorchSharp.torch;

namespace UniAD.Core.Evaluation;

/// <summary>Stores the feature-resolution anomaly map of every test image as a NumPy <c>.npz</c> archive
/// (one float32 <c>.npy</c> per image, named by the image's dataset key, deflate-compressed), so
/// <c>numpy.load</c> reads it and metrics can be recomputed later with another image score. The
/// input-resolution map is a deterministic bilinear upsampling of it (<see cref="Model.UniadModel.UpsampleMap"/>).</summary>
public static partial class AnomalyMapArchive
{
    /// <param name="maps">N×1×h×w, in <paramref name="keys"/> order.</param>
    public static void Save(string path, IReadOnlyList<string> keys, Tensor maps)
    {
        if (maps.shape[0] != keys.Count) throw new ArgumentException($"{maps.shape[0]} maps for {keys.Count} keys");
        var temporary = path + $".{Environment.ProcessId}.tmp";
        using (var zip = ZipFile.Open(temporary, ZipArchiveMode.Create))
        {
            long[] shape = [.. maps.shape[1..]];
            for (int i = 0; i < keys.Count; i++)
            {
                using var stream = zip.CreateEntry(keys[i] + ".npy", CompressionLevel.Optimal).Open();
                using var map = maps[i].contiguous();
                WriteNpy(stream, shape, map.data<float>().ToArray());
            }
        }
        File.Move(temporary, path, overwrite: true);
    }

    /// <returns>The maps keyed by image key, each 1×h×w.</returns>
    public static Dictionary<string, Tensor> Load(string path)
    {
        using var zip = ZipFile.OpenRead(path);
        var maps = new Dictionary<string, Tensor>();
        foreach (var entry in zip.Entries.Where(e => e.FullName.EndsWith(".npy")))
        {
            using var stream = entry.Open();
            maps[entry.FullName[..^4]] = ReadNpy(stream, entry.FullName);
        }
        return maps;
    }

    internal static void WriteNpy(Stream stream, long[] shape, float[] values)
    {
        var header = $"{{'descr': '<f4', 'fortran_order': False, 'shape': ({string.Join(", ", shape)}{(shape.Length == 1 ? "," : "")}), }}";
        int preamble = 10;                                                // magic(6) + version(2) + header length(2)
        header = header.PadRight((preamble + header.Length + 1 + 63) / 64 * 64 - preamble - 1) + "\n";
        using var writer = new BinaryWriter(stream, Encoding.ASCII, leaveOpen: true);
        writer.Write([0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0]);
        writer.Write((ushort)header.Length);
        writer.Write(Encoding.ASCII.GetBytes(header));
        writer.Write(System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()));   // little-endian float32 (as every platform .NET runs on here)
    }

    internal static Tensor ReadNpy(Stream stream, string name)
    {
        using var reader = new BinaryReader(stream);
        var magic = reader.ReadBytes(8);
        if (magic.Length < 8 || magic[0] != 0x93 || magic[6] != 1) throw new InvalidDataException($"{name}: not a version-1 .npy entry");
        var header = Encoding.ASCII.GetString(reader.ReadBytes(reader.ReadUInt16()));
        if (!header.Contains("'<f4'")) throw new InvalidDataException($"{name}: expected float32 data");
        var shape = ShapePattern().Match(header).Groups[1].Value
            .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(long.Parse).ToArray();
        var values = new float[shape.Aggregate(1L, (a, b) => a * b)];
        var bytes = System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan());
        int read = 0;
        for (int more; read < bytes.Length && (more = reader.Read(bytes[read..])) > 0;) read += more;   // a deflate stream reads in pieces
        if (read < bytes.Length) throw new InvalidDataException($"{name}: {read} of its {bytes.Length} data bytes");
        return tensor(values, shape);
    }

    [GeneratedRegex(@"'shape':\s*\(([^)]*)\)")]
    private static partial Regex ShapePattern();
}
