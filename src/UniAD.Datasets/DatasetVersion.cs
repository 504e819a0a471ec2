using UniAD.Core.Data;

namespace UniAD.Datasets;

/// <summary>A stored, immutable dataset version: <c>dataset.json</c>, <c>validation.json</c>, <c>files.sha256</c> and the
/// read-only <c>files/</c> tree.</summary>
public sealed record DatasetVersion(string Folder, DatasetManifest Manifest)
{
    public const string FilesFolder = "files";

    public string FilesRoot => Path.Combine(Folder, FilesFolder);

    public static bool IsVersionFolder(string folder) => File.Exists(Path.Combine(folder, DatasetManifest.FileName));

    public static DatasetVersion Open(string folder)
    {
        var manifestPath = Path.Combine(folder, DatasetManifest.FileName);
        if (!File.Exists(manifestPath)) throw new DatasetException($"not a stored dataset version (no {DatasetManifest.FileName}): {Path.GetFullPath(folder)}");
        return new DatasetVersion(Path.GetFullPath(folder), DatasetManifest.FromJson(File.ReadAllText(manifestPath)));
    }

    public ValidationReport Report => ValidationReport.FromJson(File.ReadAllText(Path.Combine(Folder, ValidationReport.FileName)));

    public IReadOnlyList<FileDigest> Checksums => ContentHash.ParseChecksumList(File.ReadAllText(Path.Combine(Folder, ContentHash.ChecksumFile)));

    /// <summary>The dataset, tagged with this version. A class-folder dataset uses <paramref name="classFolder"/>
    /// when given, else the normal classes chosen at import.</summary>
    public AnomalyDataset Load(ClassFolderOptions? classFolder = null)
    {
        VerifyQuick();
        var options = classFolder ?? (Manifest.NormalClasses is { Count: > 0 } normal ? new ClassFolderOptions(normal) : null);
        return DatasetLayouts.Read(FilesRoot, Manifest.LayoutKind, options) with { Version = Manifest.Version };
    }

    /// <summary>A cheap check before every use: the same files with the same total size as at import. A full
    /// check (<see cref="VerifyFull"/>) re-hashes every byte.</summary>
    public void VerifyQuick()
    {
        var expected = Checksums.Select(d => d.Path).ToHashSet(StringComparer.Ordinal);
        var present = Directory.EnumerateFiles(FilesRoot, "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(FilesRoot, f).Replace('\\', '/')).ToList();
        long bytes = Directory.EnumerateFiles(FilesRoot, "*", SearchOption.AllDirectories).Sum(f => new FileInfo(f).Length);
        if (!expected.SetEquals(present) || bytes != Manifest.TotalBytes)
            throw Changed(expected.Except(present).Concat(present.Except(expected)).FirstOrDefault() ?? "(sizes differ)");
    }

    /// <summary>Re-hashes every file and compares with the version's checksum list.</summary>
    public void VerifyFull(IProgress<ImportProgress>? progress = null, CancellationToken cancel = default)
    {
        var actual = ContentHash.DigestFiles(FilesRoot, progress, cancel);
        if (ContentHash.VersionOf(actual) == Manifest.Version) return;
        var stored = Checksums.ToDictionary(d => d.Path, d => d.Sha256, StringComparer.Ordinal);
        var first = actual.FirstOrDefault(d => !stored.TryGetValue(d.Path, out var sha) || sha != d.Sha256)?.Path
                    ?? stored.Keys.Except(actual.Select(d => d.Path)).FirstOrDefault() ?? "?";
        throw Changed(first);
    }

    /// <summary>Writes <c>train.jsonl</c> and <c>test.jsonl</c> (UniAD's metadata format) describing this version's files.</summary>
    public void ExportJsonl(string outputFolder, ClassFolderOptions? classFolder = null)
    {
        var dataset = Load(classFolder);
        Directory.CreateDirectory(outputFolder);
        UniadJsonl.Write(Path.Combine(outputFolder, DatasetLayouts.TrainMetadata), dataset.Train, dataset.Root);
        UniadJsonl.Write(Path.Combine(outputFolder, DatasetLayouts.TestMetadata), dataset.Test, dataset.Root);
    }

    private DatasetException Changed(string file) => new(
        $"dataset {Manifest.Name}@{Manifest.ShortVersion} changed on disk since it was imported (first difference: {file}); " +
        "import it again to make a new version");
}
