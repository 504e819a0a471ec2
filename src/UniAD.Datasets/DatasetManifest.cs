using System.Text.Json;
using System.Text.Json.Serialization;

namespace UniAD.Datasets;

/// <summary>What a stored dataset version is: <c>dataset.json</c> next to its <c>files/</c>. The version is the content
/// hash of the files (<see cref="ContentHash"/>); name, layout and provenance describe it.</summary>
public sealed record DatasetManifest(
    string Name,
    string Version,
    string Layout,
    IReadOnlyList<string>? NormalClasses,
    int FileCount,
    long TotalBytes,
    DateTimeOffset CreatedAt,
    string CreatedBy,
    string Source)
{
    public const string FileName = "dataset.json";

    [JsonIgnore] public string ShortVersion => Version[..12];
    [JsonIgnore] public DatasetLayout LayoutKind => DatasetLayouts.Parse(Layout);

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };
    public string ToJson() => JsonSerializer.Serialize(this, Json);
    public static DatasetManifest FromJson(string json) => JsonSerializer.Deserialize<DatasetManifest>(json, Json)!;
}
