using System.IO.Compression;
using UniAD.Core.Data;

namespace UniAD.Datasets;

/// <summary>Caps on what an uploaded archive may unpack to. A zip bomb (a small file that inflates to gigabytes)
/// trips <see cref="MaxCompressionRatio"/> or <see cref="MaxTotalBytes"/> long before it fills the disk.</summary>
public sealed record ZipLimits
{
    public long MaxTotalBytes { get; init; } = 64L << 30;
    public int MaxEntries { get; init; } = 500_000;
    /// <summary>Uncompressed ÷ compressed size of any entry larger than <see cref="RatioFloorBytes"/>. Images
    /// compress little (PNG, JPEG ≈ 1); an all-black BMP mask can reach ~100.</summary>
    public double MaxCompressionRatio { get; init; } = 200;
    public long RatioFloorBytes { get; init; } = 1L << 20;
}

/// <summary>Extracts a zip entry by entry, streaming each to disk, and refuses anything that could write outside
/// the destination or exhaust the disk: absolute paths, <c>..</c> segments, symbolic links, device and pipe entries,
/// duplicate names, and archives beyond <see cref="ZipLimits"/>. Sizes are enforced on the bytes actually inflated,
/// not on what the headers claim. On any refusal the caller deletes the destination; nothing is trusted half-way.</summary>
public static class SafeZip
{
    private const int UnixFileTypeMask = 0xF000, UnixRegularFile = 0x8000, UnixDirectory = 0x4000;

    /// <summary>Names that archiving tools add and datasets never mean: skipped, not extracted.</summary>
    public static bool IsJunk(string relativePath) =>
        relativePath.Split('/').Any(s => s is "__MACOSX" or ".DS_Store" or "Thumbs.db" or "desktop.ini" || s.StartsWith("._", StringComparison.Ordinal));

    public static void Extract(string zipPath, string destination, ZipLimits limits, IProgress<long>? bytesWritten = null,
        CancellationToken cancel = default)
    {
        using var archive = OpenArchive(zipPath);
        if (archive.Entries.Count > limits.MaxEntries)
            throw new DatasetException($"the archive has {archive.Entries.Count:N0} entries; the limit is {limits.MaxEntries:N0}");
        destination = Path.GetFullPath(destination);
        Directory.CreateDirectory(destination);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        long total = 0;
        foreach (var entry in archive.Entries)
        {
            cancel.ThrowIfCancellationRequested();
            string name = CheckedName(entry);
            if (IsJunk(name)) continue;
            if (!seen.Add(name.TrimEnd('/'))) throw Refuse(entry, "appears twice in the archive");
            var target = Path.GetFullPath(Path.Combine(destination, name));
            if (!target.StartsWith(destination + Path.DirectorySeparatorChar, StringComparison.Ordinal))
                throw Refuse(entry, "would be written outside the destination");
            if (name.EndsWith('/')) { Directory.CreateDirectory(target); continue; }
            CheckClaimedSize(entry, limits, total);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            total += Inflate(entry, target, limits, total, cancel);
            bytesWritten?.Report(total);
        }
    }

    private static ZipArchive OpenArchive(string zipPath)
    {
        try { return ZipFile.OpenRead(zipPath); }
        catch (InvalidDataException e) { throw new DatasetException($"the archive is not a readable zip file ({e.Message})"); }
    }

    /// <summary>The entry's path with '/' separators, after refusing absolute paths, '..' and non-regular files.</summary>
    private static string CheckedName(ZipArchiveEntry entry)
    {
        string name = entry.FullName.Replace('\\', '/');
        if (name.Length == 0 || name.Any(char.IsControl)) throw Refuse(entry, "has an empty or invalid name");
        // A name stored in an archiver's local code page without saying so decodes to replacement characters.
        if (name.Contains('\uFFFD')) throw Refuse(entry, "has a name that is not UTF-8 (an archiver's local code page?); rename it");
        if (entry.IsEncrypted) throw Refuse(entry, "is encrypted; the lab reads unencrypted archives only");
        if (name.StartsWith('/') || (name.Length >= 2 && name[1] == ':')) throw Refuse(entry, "has an absolute path");
        if (name.Split('/').Any(s => s == "..")) throw Refuse(entry, "has a '..' path segment (zip slip)");
        int unixMode = (entry.ExternalAttributes >> 16) & UnixFileTypeMask;
        if (unixMode != 0 && unixMode != UnixRegularFile && unixMode != UnixDirectory)
            throw Refuse(entry, unixMode == 0xA000 ? "is a symbolic link" : "is a device, pipe or socket, not a file");
        return name;
    }

    private static void CheckClaimedSize(ZipArchiveEntry entry, ZipLimits limits, long total)
    {
        if (total + entry.Length > limits.MaxTotalBytes)
            throw new DatasetException($"the archive unpacks to more than {Gib(limits.MaxTotalBytes)} (limit); refused at {entry.FullName}");
        if (entry.Length > limits.RatioFloorBytes && entry.Length > limits.MaxCompressionRatio * Math.Max(1, entry.CompressedLength))
            throw Refuse(entry, $"inflates {entry.Length / (double)Math.Max(1, entry.CompressedLength):F0}× (limit {limits.MaxCompressionRatio:F0}×): a zip bomb?");
    }

    /// <summary>Streams one entry to disk, counting the bytes really inflated: headers can lie.</summary>
    private static long Inflate(ZipArchiveEntry entry, string target, ZipLimits limits, long totalBefore, CancellationToken cancel)
    {
        long ratioCap = (long)Math.Min(long.MaxValue / 2.0, Math.Max(limits.RatioFloorBytes, limits.MaxCompressionRatio * Math.Max(1, entry.CompressedLength)));
        var buffer = new byte[1 << 16];
        long written = 0;
        using var input = entry.Open();
        using var output = new FileStream(target, FileMode.CreateNew, FileAccess.Write);
        for (int n; (n = ReadDamagedAsRefused(entry, input, buffer)) > 0;)
        {
            cancel.ThrowIfCancellationRequested();
            written += n;
            if (totalBefore + written > limits.MaxTotalBytes)
                throw new DatasetException($"the archive unpacks to more than {Gib(limits.MaxTotalBytes)} (limit); refused at {entry.FullName}");
            if (written > ratioCap) throw Refuse(entry, $"inflates beyond {limits.MaxCompressionRatio:F0}× its compressed size: a zip bomb?");
            output.Write(buffer, 0, n);
        }
        return written;
    }

    private static DatasetException Refuse(ZipArchiveEntry entry, string why) => new($"zip entry '{entry.FullName}' {why}; the archive is refused");

    /// <summary>A read of the entry's inflated bytes; an entry whose compressed data is damaged (the reader's
    /// InvalidDataException) refuses the archive, naming the entry.</summary>
    private static int ReadDamagedAsRefused(ZipArchiveEntry entry, Stream input, byte[] buffer)
    {
        try { return input.Read(buffer); }
        catch (InvalidDataException e) { throw Refuse(entry, $"is damaged ({e.Message})"); }
    }

    private static string Gib(long bytes) => $"{bytes / (double)(1L << 30):0.##} GiB";
}
