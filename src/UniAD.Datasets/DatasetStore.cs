using System.Text.RegularExpressions;
using UniAD.Core;
using UniAD.Core.Data;
using UniAD.Core.Training;

namespace UniAD.Datasets;

/// <summary>What to import: a folder or a <c>.zip</c>, the name to file it under, and (for a folder of classes) the
/// normal classes. The layout is detected when not given.</summary>
public sealed record ImportRequest(
    string Source,
    string Name,
    DatasetLayout? Layout = null,
    IReadOnlyList<string>? NormalClasses = null,
    string CreatedBy = "",
    ZipLimits? ZipLimits = null);

/// <summary>An import that has been copied, hashed and validated but not yet stored. Show <see cref="Report"/>, then
/// <see cref="DatasetStore.Commit"/>; disposing it uncommitted deletes everything it wrote.</summary>
public sealed class StagedImport(string folder, DatasetManifest manifest, ValidationReport report) : IDisposable
{
    public string Folder { get; } = folder;
    public DatasetManifest Manifest { get; } = manifest;
    public ValidationReport Report { get; } = report;
    internal bool Committed { get; set; }

    public void Dispose()
    {
        if (!Committed) DatasetStore.DeleteTree(Folder);
    }
}

/// <summary>Dataset versions on disk: <c>&lt;root&gt;/&lt;name&gt;/&lt;version 12 hex&gt;/</c>. Imports work in
/// <c>&lt;root&gt;/.staging/</c> and move into place in one rename when complete, so a failed, cancelled or crashed
/// import leaves nothing a reader can see (and <see cref="RemoveAbandonedStaging"/> clears what a crash left).</summary>
public sealed partial class DatasetStore(string root)
{
    public const string StagingFolder = ".staging";

    public string Root { get; } = Path.GetFullPath(root);

    public StagedImport Stage(ImportRequest request, IProgress<ImportProgress>? progress = null, CancellationToken cancel = default)
    {
        CheckName(request.Name);
        var folder = Path.Combine(Root, StagingFolder, Guid.NewGuid().ToString("N"));
        try
        {
            var files = Path.Combine(folder, DatasetVersion.FilesFolder);
            BringIn(request, Path.Combine(folder, "source"), files, progress, cancel);
            FaultPoints.Reach(FaultPoints.DatasetImport);                  // copied, not yet checked nor stored
            var (layout, digests, report) = Inspect(files, request, progress, cancel);
            var manifest = new DatasetManifest(request.Name, ContentHash.VersionOf(digests), DatasetLayouts.Name(layout),
                request.NormalClasses, digests.Count, digests.Sum(d => d.Size), DateTimeOffset.UtcNow, request.CreatedBy, request.Source);
            File.WriteAllText(Path.Combine(folder, ContentHash.ChecksumFile), ContentHash.ChecksumList(digests));
            File.WriteAllText(Path.Combine(folder, ValidationReport.FileName), report.ToJson());
            return new StagedImport(folder, manifest, report);
        }
        catch
        {
            DeleteTree(folder);
            throw;
        }
    }

    /// <summary>Validates a dataset folder where it lies, without copying it: what <c>uniad dataset validate</c> shows.</summary>
    public static ValidationReport ValidateInPlace(ImportRequest request, IProgress<ImportProgress>? progress = null, CancellationToken cancel = default) =>
        Inspect(DatasetLayouts.ContentRoot(Path.GetFullPath(request.Source)), request, progress, cancel).Report;

    private static (DatasetLayout Layout, IReadOnlyList<FileDigest> Digests, ValidationReport Report) Inspect(string files, ImportRequest request,
        IProgress<ImportProgress>? progress, CancellationToken cancel)
    {
        var layout = request.Layout ?? DatasetLayouts.Detect(files) ?? throw NoLayout(files);
        var digests = ContentHash.DigestFiles(files, progress, cancel);
        if (digests.Count == 0) throw new DatasetException("the dataset holds no files");
        var classFolder = request.NormalClasses is { Count: > 0 } normal ? new ClassFolderOptions(normal) : null;
        return (layout, digests, DatasetValidator.Validate(files, layout, classFolder, digests, progress, cancel));
    }

    /// <summary>Why no layout was found, said without the server's paths; an archive that only wraps another gets its own words.</summary>
    private static DatasetException NoLayout(string files)
    {
        var found = Directory.EnumerateFiles(files, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(files, f).Replace('\\', '/')).ToList();
        return found.Count > 0 && found.All(f => f.EndsWith(".zip", StringComparison.OrdinalIgnoreCase))
            ? new DatasetException($"the archive holds another archive ({string.Join(", ", found)}) and no dataset; unpack it and upload the dataset itself")
            : new DatasetException("the dataset is in no layout the lab reads: expected CATEGORY/train/good (MVTec), train.jsonl + test.jsonl, train/<class> + test/<class>, or split_csv/1cls.csv (VisA)");
    }

    /// <summary>Stores a validated import as an immutable version. Importing content that is already stored under
    /// the same name returns the existing version.</summary>
    public DatasetVersion Commit(StagedImport staged)
    {
        if (staged.Report.HasErrors)
            throw new DatasetException($"the dataset has {staged.Report.Errors.Count()} validation error(s) and cannot be stored; " +
                                                $"first: {staged.Report.Errors.First().Line}");
        var target = Path.Combine(Root, staged.Manifest.Name, staged.Manifest.ShortVersion);
        if (DatasetVersion.IsVersionFolder(target))
        {
            staged.Dispose();
            return DatasetVersion.Open(target);
        }
        File.WriteAllText(Path.Combine(staged.Folder, DatasetManifest.FileName), staged.Manifest.ToJson());
        foreach (var file in Directory.EnumerateFiles(Path.Combine(staged.Folder, DatasetVersion.FilesFolder), "*", SearchOption.AllDirectories))
            File.SetAttributes(file, FileAttributes.ReadOnly);
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        try { Directory.Move(staged.Folder, target); }
        catch (IOException) when (DatasetVersion.IsVersionFolder(target))
        {
            staged.Dispose();                                        // a concurrent import of the same content won
            return DatasetVersion.Open(target);
        }
        staged.Committed = true;
        return DatasetVersion.Open(target);
    }

    /// <summary>Stage, and commit when the report has no errors; the staged files are removed either way.</summary>
    public (DatasetVersion? Version, ValidationReport Report) Import(ImportRequest request, IProgress<ImportProgress>? progress = null,
        CancellationToken cancel = default)
    {
        using var staged = Stage(request, progress, cancel);
        return (staged.Report.HasErrors ? null : Commit(staged), staged.Report);
    }

    public IReadOnlyList<DatasetVersion> List() =>
        !Directory.Exists(Root) ? []
        : Directory.EnumerateDirectories(Root).Where(d => Path.GetFileName(d) != StagingFolder)
            .SelectMany(Directory.EnumerateDirectories).Where(DatasetVersion.IsVersionFolder).Select(DatasetVersion.Open)
            .OrderBy(v => v.Manifest.Name, StringComparer.Ordinal).ThenBy(v => v.Manifest.CreatedAt).ToList();

    /// <summary>Deletes what imports interrupted by a crash left in the staging folder (call at start-up).</summary>
    public void RemoveAbandonedStaging() => DeleteTree(Path.Combine(Root, StagingFolder));

    /// <summary>Copies a folder, or safely extracts a zip, into <paramref name="files"/>: only the content root
    /// (below any single wrapping folder) ends up there.</summary>
    private static void BringIn(ImportRequest request, string landing, string files, IProgress<ImportProgress>? progress, CancellationToken cancel)
    {
        var source = Path.GetFullPath(request.Source);
        if (File.Exists(source) && source.EndsWith(".zip", StringComparison.OrdinalIgnoreCase))
        {
            long size = new FileInfo(source).Length;
            SafeZip.Extract(source, landing, request.ZipLimits ?? new ZipLimits(),
                new SynchronousProgress<long>(done => progress?.Report(new ImportProgress("extracting", done, size))), cancel);
        }
        else if (Directory.Exists(source)) CopyTree(DatasetLayouts.ContentRoot(source), landing, progress, cancel);
        else if (File.Exists(source)) throw new DatasetException($"{request.Source} is neither a folder nor a .zip archive");
        else throw new DatasetException($"dataset source not found: {request.Source}");
        Directory.Move(DatasetLayouts.ContentRoot(landing), files);
        DeleteTree(landing);
    }

    private static void CopyTree(string source, string destination, IProgress<ImportProgress>? progress, CancellationToken cancel)
    {
        var files = Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories)
            .Where(f => !SafeZip.IsJunk(Path.GetRelativePath(source, f).Replace('\\', '/'))).ToList();
        long total = files.Sum(f => new FileInfo(f).Length), done = 0;
        foreach (var file in files)
        {
            cancel.ThrowIfCancellationRequested();
            var target = Path.Combine(destination, Path.GetRelativePath(source, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
            done += new FileInfo(target).Length;
            progress?.Report(new ImportProgress("copying", done, total));
        }
        Directory.CreateDirectory(destination);
    }

    internal static void DeleteTree(string folder)
    {
        if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
    }

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")]
    private static partial Regex NamePattern();

    private static void CheckName(string name)
    {
        if (!NamePattern().IsMatch(name))
            throw new DatasetException($"invalid dataset name '{name}': use 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit");
    }
}
