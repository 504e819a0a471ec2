namespace UniAD.Lab.Persistence;

/// <summary>A stored dataset version (its files live in the dataset store; this row makes it queryable).</summary>
public sealed class DatasetRecord
{
    public int Id { get; set; }
    public required string Name { get; set; }
    /// <summary>The SHA-256 of the version's file list (UniAD.Datasets' content hash).</summary>
    public required string Version { get; set; }
    public required string Layout { get; set; }
    /// <summary>Where the version's files are on the server: shown to whoever may see server paths only.</summary>
    public required string Folder { get; set; }
    public int Categories { get; set; }
    public int TrainImages { get; set; }
    public int TestImages { get; set; }
    public long Bytes { get; set; }
    public int Warnings { get; set; }
    public DateTime CreatedAt { get; set; }
    public string CreatedBy { get; set; } = "";
    /// <summary>What it was imported from (an upload, or a server folder).</summary>
    public string Source { get; set; } = "";

    public string ShortVersion => Version[..12];
}
