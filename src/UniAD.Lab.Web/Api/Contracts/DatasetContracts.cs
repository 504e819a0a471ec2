using UniAD.Datasets;
using UniAD.Lab.Persistence;

namespace UniAD.Lab.Web.Api.Contracts;

/// <summary>A stored dataset version. Its folder on the server is not part of it.</summary>
/// <param name="Version">The content hash (SHA-256 of the version's file list); the first 12 digits name it in the lab.</param>
/// <param name="Source">What it was imported from: an upload, or a server folder under an import root (its path for
/// admins only; others read "a server folder").</param>
public sealed record DatasetResponse(int Id, string Name, string Version, string ShortVersion, string Layout, int Categories, int TrainImages,
    int TestImages, long Bytes, int Warnings, DateTimeOffset CreatedAt, string CreatedBy, string Source)
{
    /// <param name="showPaths">Whether the reader may see server paths (an admin).</param>
    public static DatasetResponse Of(DatasetRecord d, bool showPaths) => new(d.Id, d.Name, d.Version, d.ShortVersion, d.Layout, d.Categories, d.TrainImages,
        d.TestImages, d.Bytes, d.Warnings, d.CreatedAt, d.CreatedBy, showPaths || !Path.IsPathRooted(d.Source) ? d.Source : "a server folder");
}

/// <summary>Import a zip posted to <c>POST /api/uploads</c> (its upload id), or a folder on the server under an import root.</summary>
/// <param name="NormalClasses">For a folder-of-classes dataset: the classes that are normal (e.g. <c>01234</c> or <c>cat, dog</c>).</param>
public sealed record ImportDatasetRequest(string Name, string? Upload = null, string? Folder = null, string NormalClasses = "");

/// <summary>A stored dataset and the validation report its import produced.</summary>
public sealed record ImportedDatasetResponse(DatasetResponse Dataset, ValidationReport Report);

/// <summary>A file streamed to the lab: its id names it to the request that uses it (once).</summary>
public sealed record UploadResponse(string Upload, long Bytes);
