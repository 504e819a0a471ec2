using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using UniAD.Core.Data;
using UniAD.Core.Data.Demo;
using UniAD.Datasets;
using UniAD.Lab.Accounts;
using UniAD.Lab.Persistence;

namespace UniAD.Lab.Datasets;

/// <summary>The lab's view of the dataset store: imports go through <see cref="DatasetStore"/> (validation, atomic
/// rename) and only a committed version gets a database row, so a failed import leaves neither files nor a row.</summary>
public sealed class DatasetCatalog(IDbContextFactory<LabDbContext> databases, IOptions<LabOptions> options, LabAudit audit)
{
    public const string DemoName = "demo";
    private readonly LabOptions _options = options.Value;
    private DatasetStore Store => new(_options.DatasetsFolder);

    public async Task<IReadOnlyList<DatasetRecord>> ListAsync(CancellationToken cancel = default)
    {
        await using var db = await databases.CreateDbContextAsync(cancel);
        return await db.Datasets.OrderBy(d => d.Name).ThenByDescending(d => d.CreatedAt).ToListAsync(cancel);
    }

    public async Task<DatasetRecord?> FindAsync(int id, CancellationToken cancel = default)
    {
        await using var db = await databases.CreateDbContextAsync(cancel);
        return await db.Datasets.FindAsync([id], cancel);
    }

    /// <summary>The categories (or, for a folder of classes, the classes) of a stored version.</summary>
    public async Task<IReadOnlyList<string>> CategoriesAsync(int id, CancellationToken cancel = default) =>
        await FindAsync(id, cancel) is { } record ? CategoriesOf(record) : [];

    public IReadOnlyList<string> CategoriesOf(DatasetRecord record) => [.. ReportOf(record).Categories.Select(c => c.Category)];

    /// <summary>A stored version's validation report. A version's folder never changes, so its report is read from disk
    /// once: the run forms check a request, and estimate it, at every keystroke.</summary>
    public ValidationReport ReportOf(DatasetRecord record) => _reports.GetOrAdd(record.Folder, folder => DatasetVersion.Open(folder).Report);

    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, ValidationReport> _reports = new();

    /// <summary>Copies or unzips and validates <paramref name="request"/>'s source off the calling thread; the caller
    /// shows the report and then commits or disposes.</summary>
    public Task<StagedImport> StageAsync(ImportRequest request, IProgress<ImportProgress>? progress = null, CancellationToken cancel = default) =>
        Task.Run(() => Store.Stage(request, progress, cancel), cancel);

    /// <summary>Stages a folder on the server that a user named (page or API): only one under an import root
    /// (<see cref="LabOptions.ImportsFolder"/> and <see cref="LabOptions.ImportRoots"/>).</summary>
    /// <exception cref="DatasetException">The folder is outside every import root; nothing is read.</exception>
    public Task<StagedImport> StageServerFolderAsync(ImportRequest request, IProgress<ImportProgress>? progress = null, CancellationToken cancel = default)
    {
        var roots = ImportRoots();
        var folder = Path.GetFullPath(request.Source);
        if (!roots.Any(root => folder.StartsWith(root + Path.DirectorySeparatorChar, StringComparison.Ordinal) || folder == root)
            || new DirectoryInfo(folder).LinkTarget is not null)
            throw new DatasetException($"'{request.Source}' is not under an import root: server folders are imported only from " +
                $"{string.Join(", ", roots)} (more with Lab:ImportRoots); or upload a zip");
        return StageAsync(request with { Source = folder }, progress, cancel);
    }

    public IReadOnlyList<string> ImportRoots() =>
        [.. _options.ImportRoots.Prepend(_options.ImportsFolder).Select(r => Path.TrimEndingDirectorySeparator(Path.GetFullPath(_options.Expand(r))))];

    public async Task<DatasetRecord> CommitAsync(StagedImport staged, CancellationToken cancel = default)
    {
        var version = Store.Commit(staged);
        return await RecordAsync(version, cancel, audited: true);
    }

    /// <summary>Streams an upload to <c>uploads/</c> and returns its id for <see cref="StageUploadAsync"/>.</summary>
    public Task<string> SaveUploadAsync(Stream upload, CancellationToken cancel = default) => Uploads.SaveAsync(_options, upload, cancel);

    /// <summary>Stages an uploaded zip (see <see cref="StageAsync"/>) and deletes the upload, whatever the outcome.</summary>
    public async Task<StagedImport> StageUploadAsync(string uploadId, ImportRequest request, IProgress<ImportProgress>? progress = null,
        CancellationToken cancel = default)
    {
        var path = Uploads.PathOf(_options, uploadId);
        if (!File.Exists(path)) throw new DatasetException($"upload {uploadId} not found (uploads are deleted once staged)");
        var zip = Path.ChangeExtension(path, ".zip");                      // the store takes an archive by its extension
        File.Move(path, zip);
        try { return await StageAsync(request with { Source = zip }, progress, cancel); }
        finally { File.Delete(zip); }
    }

    /// <summary>Generates the demo dataset and imports it (what the first start offers with one click).</summary>
    public async Task<DatasetRecord> ImportDemoAsync(string user, CancellationToken cancel = default)
    {
        var folder = Directory.CreateTempSubdirectory("uniad-demo-").FullName;
        try
        {
            await Task.Run(() => DemoDataset.Generate(folder, new DemoDatasetOptions()), cancel);
            using var staged = await StageAsync(new ImportRequest(folder, DemoName, CreatedBy: user), cancel: cancel);
            return await CommitAsync(staged, cancel);
        }
        finally { Directory.Delete(folder, recursive: true); }
    }

    /// <summary>Gives every version in the store a row: versions imported with the CLI into the same data root
    /// appear in the lab. Called at start-up, after clearing what interrupted imports left behind.</summary>
    public async Task SynchroniseAsync(CancellationToken cancel = default)
    {
        Store.RemoveAbandonedStaging();
        foreach (var version in Store.List()) await RecordAsync(version, cancel);
    }

    private async Task<DatasetRecord?> RecordedAsync(string name, string version, CancellationToken cancel)
    {
        await using var db = await databases.CreateDbContextAsync(cancel);
        return await db.Datasets.SingleOrDefaultAsync(d => d.Name == name && d.Version == version, cancel);
    }

    /// <param name="audited">A user's import (an entry in the audit list), not a version found in the store at start.</param>
    private async Task<DatasetRecord> RecordAsync(DatasetVersion version, CancellationToken cancel, bool audited = false)
    {
        var m = version.Manifest;
        if (await RecordedAsync(m.Name, m.Version, cancel) is { } existing) return existing;
        await using var db = await databases.CreateDbContextAsync(cancel);
        var report = version.Report;
        var record = new DatasetRecord
        {
            Name = m.Name, Version = m.Version, Layout = m.Layout, Folder = version.Folder,
            Categories = report.Categories.Count,
            TrainImages = report.Categories.Sum(c => c.Train),
            TestImages = report.Categories.Sum(c => c.TestNormal + c.TestAnomalous),
            Bytes = m.TotalBytes, Warnings = report.Warnings.Count(),
            CreatedAt = m.CreatedAt.UtcDateTime, CreatedBy = m.CreatedBy, Source = m.Source,
        };
        db.Datasets.Add(record);
        if (audited) audit.Add(db, record.CreatedBy, "dataset.imported", $"dataset {record.Name}@{record.ShortVersion}", $"{record.Categories} categories, {record.Layout}");
        try
        {
            await db.SaveChangesAsync(cancel);
            return record;
        }
        catch (DbUpdateException)
        {
            // Another lab or worker on the same database and store recorded it first (both starting at once).
            if (await RecordedAsync(m.Name, m.Version, cancel) is not { } recorded) throw;
            return recorded;
        }
    }
}
