using System.Security.Cryptography;
using System.Text;
using UniAD.Core.Data;

namespace UniAD.Datasets;

/// <summary>One file of a dataset: its path relative to the dataset root ('/' separators), size and SHA-256.</summary>
public sealed record FileDigest(string Path, long Size, string Sha256);

/// <summary>The identity of a dataset version: the SHA-256 of its checksum list, which is exactly what
/// <c>sha256sum</c> prints for every file, sorted by path in byte order. So a version can be checked without the lab:
/// <c>cd files &amp;&amp; find . -type f -printf '%P\n' | LC_ALL=C sort | xargs -d '\n' sha256sum | sha256sum</c>.</summary>
public static class ContentHash
{
    public const string ChecksumFile = "files.sha256";

    /// <summary>Every file under <paramref name="root"/> except archiver junk, hashed one stream at a time.</summary>
    public static IReadOnlyList<FileDigest> DigestFiles(string root, IProgress<ImportProgress>? progress = null, CancellationToken cancel = default)
    {
        root = System.IO.Path.GetFullPath(root);
        var files = Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories)
            .Select(f => (Full: f, Relative: System.IO.Path.GetRelativePath(root, f).Replace('\\', '/')))
            .Where(f => !SafeZip.IsJunk(f.Relative))
            .OrderBy(f => f.Relative, StringComparer.Ordinal).ToList();
        long totalBytes = files.Sum(f => new FileInfo(f.Full).Length), done = 0;
        var digests = new List<FileDigest>(files.Count);
        foreach (var (full, relative) in files)
        {
            cancel.ThrowIfCancellationRequested();
            if (relative.Contains('\n') || relative.Contains('\\'))
                throw new DatasetException($"file name with a line break or backslash is not supported: {relative}");
            using var stream = File.OpenRead(full);
            digests.Add(new FileDigest(relative, stream.Length, Convert.ToHexStringLower(SHA256.HashData(stream))));
            done += stream.Length;
            progress?.Report(new ImportProgress("hashing", done, totalBytes));
        }
        return digests;
    }

    /// <summary>The checksum list in <c>sha256sum</c>'s format.</summary>
    public static string ChecksumList(IEnumerable<FileDigest> digests) =>
        string.Concat(digests.Select(d => $"{d.Sha256}  {d.Path}\n"));

    public static string VersionOf(IEnumerable<FileDigest> digests) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(ChecksumList(digests))));

    /// <summary>Reads a checksum list back (sizes are not part of it and come back as -1).</summary>
    public static IReadOnlyList<FileDigest> ParseChecksumList(string text) =>
        text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => new FileDigest(line[66..], -1, line[..64])).ToList();
}

/// <summary>How far an import has come: <paramref name="Stage"/> is copying, extracting, hashing or validating;
/// Done and Total are bytes or files.</summary>
public sealed record ImportProgress(string Stage, long Done, long Total);
