using System.Text.Json;
using UniAD.Core.Configuration;
using Microsoft.Extensions.Options;
using UniAD.Lab.Compare;
using UniAD.Lab.Datasets;
using UniAD.Lab.Persistence;
using UniAD.Lab.Studies;

namespace UniAD.Lab.Web.Extensions;

public sealed record StudyVariantBody(string Name, IReadOnlyList<string>? Overrides = null);

/// <summary>One sweep key; its values as JSON (numbers, strings, arrays), each written into an override as it stands.</summary>
public sealed record SweepAxisBody(string Key, IReadOnlyList<JsonElement> Values);

/// <summary>A study as JSON: the base run as <c>POST /api/runs</c> takes it (its name is the study's), then the variants,
/// or <c>paperAblations: true</c>, or a <c>sweep</c> grid; the baseline is a variant's name.</summary>
public sealed record CreateStudyBody(int DatasetId, string Name, string Preset = ConfigRequest.DefaultPreset, int? Epochs = null, int? BatchSize = null,
    int? EvaluateEvery = null, IReadOnlyList<int>? Seeds = null, IReadOnlyList<string>? Overrides = null, IReadOnlyList<string>? Categories = null,
    string NormalClasses = "", string Device = "auto", string Queue = Queues.Training,
    IReadOnlyList<StudyVariantBody>? Variants = null, bool PaperAblations = false, IReadOnlyList<SweepAxisBody>? Sweep = null, string? Baseline = null)
{
    public QueueRunsBody Base => new(DatasetId, Name, Preset, "full", Epochs, BatchSize, EvaluateEvery, Seeds, Overrides, Categories, NormalClasses, Device, Queue);
}

/// <summary>A cell of a metric matrix as JSON: mean, sample std and count over seeds, each seed's value, the delta to
/// the baseline and the p-value of the paired test over seeds (when there are enough).</summary>
public sealed record CellJson(double? Mean, double? Std, int N, double? Delta, double? PSeeds, IReadOnlyList<SeedValue> Values)
{
    public static CellJson Of(MatrixCell c) => new(c.Summary?.Mean, c.Summary?.Std, c.Summary?.Count ?? 0, c.Delta, c.SeedTest?.PValue, c.Values);
}

public sealed record MatrixRowJson(string Label, IReadOnlyList<int> Runs, IReadOnlyDictionary<string, CellJson> Categories, CellJson Mean,
    double? PCategories, double? PSeeds);

public sealed record MatrixJson(string Metric, IReadOnlyList<string> Categories, string? Baseline, IReadOnlyList<MatrixRowJson> Rows)
{
    public static MatrixJson Of(MetricMatrix m) => new(m.Metric.Key(), m.Categories, m.Baseline is int b ? m.Rows[b].Item.Label : null,
        [.. m.Rows.Select(r => new MatrixRowJson(r.Item.Label, [.. r.Item.Runs.Select(x => x.Id)],
            m.Categories.Select((c, i) => (c, i)).ToDictionary(x => x.c, x => CellJson.Of(r.Cells[x.i])), CellJson.Of(r.Mean),
            r.CategoryTest?.PValue, r.SeedTest?.PValue))]);
}

/// <summary>The compare view and studies over HTTP, in the style of <see cref="ApiEndpoints"/>.</summary>
public static class StudyApiEndpoints
{
    public static void MapStudyApi(this WebApplication app)
    {
        var api = app.MapGroup("/api");
        api.MapGet("/compare", CompareAsync);
        api.MapPost("/studies", CreateAsync);
        api.MapGet("/studies", async (StudyQueries studies, CancellationToken cancel) => (await studies.ListAsync(cancel)).Select(s => new
        {
            s.Study.Id, s.Study.Name, s.Study.Kind, s.Study.DatasetId, s.Study.Baseline, Variants = StudyDesign.Variants(s.Study.VariantsJson).Count,
            s.Study.Seeds, s.Runs, s.Finished, s.Failed, s.Active, s.Study.CreatedAt, s.Study.CreatedBy,
        }));
        api.MapGet("/studies/{id:int}", async (int id, StudyQueries studies, CancellationToken cancel) =>
            await studies.GetAsync(id, cancel) is { } study ? Results.Ok(Describe(study)) : NoSuchStudy(id));
        api.MapGet("/studies/{id:int}/matrix", async (int id, string? metric, string? format, StudyQueries studies, CancellationToken cancel) =>
        {
            if (await studies.GetAsync(id, cancel) is not { } study) return NoSuchStudy(id);
            try { return Matrix(study.Matrix(Metrics.Parse(metric)), format, $"study-{id}", $"UniAD Lab study {id} \"{study.Study.Name}\""); }
            catch (UniAD.Core.UserException e) { return ApiEndpoints.Problems(e.Message); }
        });
    }

    /// <summary>Every metric's matrix as JSON, or one metric's as CSV.</summary>
    private static async Task<IResult> CompareAsync(string? runs, string? groups, string? metric, int? baseline, string? format,
        CompareQueries compare, CancellationToken cancel)
    {
        try
        {
            var comparison = await compare.BuildAsync(CompareSelection.Parse(runs, groups), withCurves: false, cancel);
            if (baseline is int b && (b < 0 || b >= comparison.Items.Count)) return ApiEndpoints.Problems($"baseline {b} is not an item index (0 to {comparison.Items.Count - 1})");
            if (format is not (null or "json")) return Matrix(comparison.Matrix(Metrics.Parse(metric), baseline), format, "compare", "UniAD Lab comparison");
            return Results.Ok(new
            {
                Items = comparison.Items.Select(i => new
                {
                    i.Label, Kind = i.KindLabel, Runs = i.Runs.Select(r => r.Id), i.DatasetVersions, i.ImageScores,
                    WallSeconds = i.WallSeconds?.Mean, ImagesPerSecond = i.ImagesPerSecond?.Mean, i.PeakMemoryBytes, i.PeakGpuMemoryBytes,
                }),
                comparison.Warnings,
                ConfigDiff = comparison.ConfigDiff,
                Metrics = Enum.GetValues<Metric>().ToDictionary(m => m.Key(), m => MatrixJson.Of(comparison.Matrix(m, baseline))),
            });
        }
        catch (UniAD.Core.NotFoundException e) { return Results.NotFound(new { Problems = new[] { e.Message } }); }
        catch (UniAD.Core.UserException e) { return ApiEndpoints.Problems(e.Message); }
    }

    private static IResult Matrix(MetricMatrix matrix, string? format, string file, string caption) => format switch
    {
        null or "json" => Results.Ok(MatrixJson.Of(matrix)),
        "csv" => Results.Text(MatrixExport.Csv(matrix), "text/csv"),
        "latex" => Results.Text(MatrixExport.Latex(matrix, caption), "application/x-latex"),
        _ => ApiEndpoints.Problems($"unknown format '{format}'; known: json, csv, latex"),
    };

    private static async Task<IResult> CreateAsync(CreateStudyBody body, DatasetCatalog catalog, StudyLauncher launcher, StudyQueries studies,
        IOptions<LabOptions> options, CancellationToken cancel)
    {
        var (draft, problems) = await ApiEndpoints.DraftAsync(body.Base, catalog, options, cancel);
        var study = new StudyDraft(draft);
        if (body.PaperAblations) study.UsePaperAblations();
        else if (body.Sweep is { } sweep)
        {
            study.Kind = StudyKind.Sweep;
            study.Axes.Clear();
            study.Axes.AddRange(sweep.Select(a => new SweepAxisDraft
            {
                Key = a.Key, Values = string.Join("; ", a.Values.Select(v => v.ValueKind == JsonValueKind.String ? v.GetString() : v.GetRawText())),
            }));
        }
        else study.Variants = [.. (body.Variants ?? []).Select(v => new VariantDraft { Name = v.Name, Overrides = string.Join('\n', v.Overrides ?? []) })];
        if (body.Baseline is { } baseline) study.Baseline = baseline;
        else if (body.Variants is { Count: > 0 } given) study.Baseline = given[0].Name;
        problems.AddRange(study.Problems());
        if (problems.Count > 0) return ApiEndpoints.Problems([.. problems]);
        int id = await launcher.QueueAsync(study.ToRequest(Environment.UserName), cancel);
        return Results.Created($"/api/studies/{id}", Describe((await studies.GetAsync(id, cancel))!));
    }

    private static object Describe(StudyDetail detail) => new
    {
        detail.Study.Id, detail.Study.Name, detail.Study.Kind, detail.Study.DatasetId, detail.Study.Preset, detail.Study.Baseline,
        Seeds = detail.Study.Seeds.Split(',').Select(int.Parse), Axes = StudyDesign.Axes(detail.Study.SweepAxesJson),
        Variants = detail.Variants.Zip(detail.Items, (v, item) => new
        {
            v.Name, v.Overrides,
            Runs = item.Runs.Select(r => new { r.Id, r.Seed, r.Status, r.MeanImageAuroc, r.MeanPixelAuroc, r.MeanAupro }),
        }),
        detail.Study.CreatedAt, detail.Study.CreatedBy,
    };

    private static IResult NoSuchStudy(int id) => Results.NotFound(new { Problems = new[] { $"study {id} does not exist" } });
}
