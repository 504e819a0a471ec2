using System.Text.Json;
using System.Text.Json.Serialization;

namespace UniAD.Datasets;

public enum Severity { Error, Warning }

public enum ProblemKind
{
    Layout, Unreadable, Truncated, UnsupportedFormat, NotInLayout, EmptyCategory, MaskMissing, MaskWithoutImage,
    DefectWithoutMask, MaskSizeMismatch, NonBinaryMask, ColourMask, NoAnomalousTestImages, NoNormalTestImages, Duplicate,
    /// <summary>Masks whose defect pixels are not 255, read as defect where the layout says so (VisA).</summary>
    NonzeroMaskValues,
}

/// <summary>One thing wrong with a dataset, with the file (relative to the dataset root) it concerns.</summary>
public sealed record DatasetProblem(ProblemKind Kind, string File, string Message)
{
    /// <summary>Errors make the data unusable or the metrics wrong and block an import; warnings are worth knowing.</summary>
    public Severity Severity => Kind switch
    {
        ProblemKind.Layout or ProblemKind.Unreadable or ProblemKind.Truncated or ProblemKind.EmptyCategory
            or ProblemKind.MaskMissing or ProblemKind.MaskSizeMismatch or ProblemKind.NonBinaryMask or ProblemKind.ColourMask => Severity.Error,
        _ => Severity.Warning,
    };

    /// <summary>The problem in one line, as the CLI and the API say it: the file, then what is wrong with it.</summary>
    public string Line => File.Length > 0 ? $"{File}: {Message}" : Message;
}

/// <summary>What a category holds, per split and defect type.</summary>
public sealed record CategoryCounts(
    string Category, int Train, int TestNormal, int TestAnomalous, int Masks,
    IReadOnlyDictionary<string, int> DefectTypes, IReadOnlyList<string> ImageSizes, bool Grayscale);

/// <summary>The result of validating a dataset, shown before an import is confirmed and kept with the version.</summary>
public sealed record ValidationReport(string Layout, IReadOnlyList<CategoryCounts> Categories, IReadOnlyList<DatasetProblem> Problems)
{
    public const string FileName = "validation.json";

    [JsonIgnore] public IEnumerable<DatasetProblem> Errors => Problems.Where(p => p.Severity == Severity.Error);
    [JsonIgnore] public IEnumerable<DatasetProblem> Warnings => Problems.Where(p => p.Severity == Severity.Warning);
    [JsonIgnore] public bool HasErrors => Errors.Any();

    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };

    public string ToJson() => JsonSerializer.Serialize(this, Json);
    public static ValidationReport FromJson(string json) => JsonSerializer.Deserialize<ValidationReport>(json, Json)!;
}
