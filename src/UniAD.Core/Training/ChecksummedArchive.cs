using System.IO.Compression;
using System.Security.Cryptography;

namespace UniAD.Core.Training;

/// <summary>The file format of what a run keeps to go on from (a UniAD checkpoint, a PatchCore memory bank): one zip of
/// named entries and a SHA-256 over all of them, so that a file damaged after it was written (a bad disk, a truncated
/// copy) is told from a whole one.</summary>
internal static class ChecksummedArchive
{
    public const string ChecksumEntry = "checksum.sha256";

    /// <summary>Writes the entries, in order, and their checksum into a new zip at <paramref name="path"/>.</summary>
    /// <param name="written">Called with each entry's index once it is written (a fault point can stop the write there).</param>
    public static void Write(string path, IReadOnlyList<(string Name, byte[] Bytes)> entries, Action<int>? written = null)
    {
        using var zip = ZipFile.Open(path, ZipArchiveMode.Create);
        foreach (var (index, (name, bytes)) in entries.Index())
        {
            WriteEntry(zip, name, bytes);
            written?.Invoke(index);
        }
        WriteEntry(zip, ChecksumEntry, System.Text.Encoding.ASCII.GetBytes(Checksum(entries)));
    }

    /// <summary>Every entry's bytes by name.</summary>
    /// <exception cref="InvalidDataException">Not a zip.</exception>
    /// <exception cref="IOException">The file could not be read whole.</exception>
    public static Dictionary<string, byte[]> Read(string path)
    {
        using var zip = ZipFile.OpenRead(path);
        return zip.Entries.ToDictionary(e => e.FullName, e =>
        {
            using var s = e.Open();
            using var m = new MemoryStream();
            s.CopyTo(m);
            return m.ToArray();
        });
    }

    /// <summary>Whether the stored checksum matches <paramref name="inOrder"/>, the entries in the order they were
    /// written; true for files written before they had one.</summary>
    public static bool Whole(Dictionary<string, byte[]> entries, IEnumerable<(string Name, byte[] Bytes)> inOrder) =>
        !entries.TryGetValue(ChecksumEntry, out var stored) || System.Text.Encoding.ASCII.GetString(stored) == Checksum(inOrder);

    /// <summary>SHA-256 over every entry's name, length and bytes, in the order they are written.</summary>
    private static string Checksum(IEnumerable<(string Name, byte[] Bytes)> entries)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var (name, bytes) in entries)
        {
            sha.AppendData(System.Text.Encoding.UTF8.GetBytes(name));
            sha.AppendData(BitConverter.GetBytes((long)bytes.Length));
            sha.AppendData(bytes);
        }
        return Convert.ToHexStringLower(sha.GetHashAndReset());
    }

    private static void WriteEntry(ZipArchive zip, string name, byte[] bytes)
    {
        using var stream = zip.CreateEntry(name, CompressionLevel.Fastest).Open();
        stream.Write(bytes);
    }
}
