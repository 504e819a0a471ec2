using System.Text.Json;
using UniAD.Lab.Persistence;
using UniAD.Lab.Runs;
using UniAD.Lab.Studies;

namespace UniAD.Lab.Web.Api.Contracts;

public sealed record StudyVariantRequest(string Name, IReadOnlyList<string>? Overrides = null);

/// <summary>One sweep key and the values it takes, as JSON (numbers, strings, arrays), each written into an override as
/// it stands: <c>5</c>, <c>"none"</c>, <c>[5,5]</c>.</summary>
public sealed record SweepAxisRequest(string Key, IReadOnlyList<JsonElement> Values);

/// <summary>A study as JSON: the base run as <c>POST /api/runs</c> takes it (its name is the study's), then the variants,
/// or <c>paperAblations: true</c>, or a <c>sweep</c> grid; the baseline is a variant's name (by default the first).</summary>
public sealed record CreateStudyRequest(int? DatasetId = null, string? Name = null, string? Preset = null, int? Epochs = null, int? BatchSize = null,
    int? EvaluateEvery = null, IReadOnlyList<int>? Seeds = null, IReadOnlyList<string>? Overrides = null, IReadOnlyList<string>? Categories = null,
    string? NormalClasses = null, string? Device = null, string? Queue = null, IReadOnlyList<StudyVariantRequest>? Variants = null,
    bool PaperAblations = false, IReadOnlyList<SweepAxisRequest>? Sweep = null, string? Baseline = null)
{
    public StudySpec ToSpec() => new(
        new QueueRunsRequest(DatasetId, Name, Preset, null, Epochs, BatchSize, EvaluateEvery, Seeds, Overrides, Categories, NormalClasses, Device, Queue).ToSpec(),
        Variants?.Select(v => new StudyVariant(v.Name, v.Overrides ?? [])).ToList(), PaperAblations,
        Sweep?.Select(a => new SweepAxis(a.Key, [.. a.Values.Select(v => v.ValueKind == JsonValueKind.String ? v.GetString()! : v.GetRawText())])).ToList(),
        Baseline);
}

/// <summary>A study and where its runs stand.</summary>
public sealed record StudySummaryResponse(int Id, string Name, StudyKind Kind, int DatasetId, string Baseline, int Variants, IReadOnlyList<int> Seeds,
    int Runs, int Finished, int Failed, int Active, DateTimeOffset CreatedAt, string CreatedBy)
{
    public static StudySummaryResponse Of(StudySummary s) => new(s.Study.Id, s.Study.Name, s.Study.Kind, s.Study.DatasetId, s.Study.Baseline,
        s.Study.Variants.Count, s.Study.Seeds, s.Runs, s.Finished, s.Failed, s.Active, s.Study.CreatedAt, s.Study.CreatedBy);
}

/// <summary>A run of a study, in brief.</summary>
public sealed record StudyRunResponse(int Id, int Seed, RunStatus Status, double? MeanImageAuroc, double? MeanPixelAuroc, double? MeanAupro);

public sealed record StudyVariantResponse(string Name, IReadOnlyList<string> Overrides, IReadOnlyList<StudyRunResponse> Runs);

/// <summary>A study with its variants in order, each with its runs.</summary>
public sealed record StudyResponse(int Id, string Name, StudyKind Kind, int DatasetId, string Preset, string Baseline, IReadOnlyList<int> Seeds,
    IReadOnlyList<SweepAxis> Axes, IReadOnlyList<StudyVariantResponse> Variants, DateTimeOffset CreatedAt, string CreatedBy)
{
    public static StudyResponse Of(StudyDetail detail)
    {
        var s = detail.Study;
        return new(s.Id, s.Name, s.Kind, s.DatasetId, s.Preset, s.Baseline, s.Seeds, s.SweepAxes,
            [.. detail.Variants.Zip(detail.Items, (v, item) => new StudyVariantResponse(v.Name, v.Overrides,
                [.. item.Runs.Select(r => new StudyRunResponse(r.Id, r.Request.Seed, r.Status, r.Summary.MeanImageAuroc, r.Summary.MeanPixelAuroc,
                    r.Summary.MeanAupro))]))],
            s.CreatedAt, s.CreatedBy);
    }
}
