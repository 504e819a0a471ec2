using UniAD.Core;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Options;
using UniAD.Core.Configuration;
using UniAD.Core.Data;
using UniAD.Datasets;
using UniAD.Lab.Datasets;
using UniAD.Lab.Persistence;
using UniAD.Lab.Runs;

namespace UniAD.Lab.Web.Extensions;

/// <summary>A run as the runs list shows it.</summary>
public sealed record RunSummary(int Id, string Name, RunStatus Status, int DatasetId, string Preset, int Seed, string Group,
    int Epoch, int TotalEpochs, string ImageScore, double? MeanImageAuroc, double? MeanPixelAuroc, double? MeanAupro,
    int? BestEpoch, double? BestPixelAuroc, string Tags, DateTime CreatedAt, string CreatedBy)
{
    public static RunSummary Of(RunRecord r) => new(r.Id, r.Name, r.Status, r.DatasetId, r.Preset, r.Seed, r.Group, r.Epoch, r.TotalEpochs,
        r.ImageScore, r.MeanImageAuroc, r.MeanPixelAuroc, r.MeanAupro, r.BestEpoch, r.BestPixelAuroc, r.Tags, r.CreatedAt, r.CreatedBy);
}

/// <summary>What the New run form asks, as JSON; anything left out takes the preset's value.</summary>
public sealed record QueueRunsBody(int DatasetId, string Name, string Preset = ConfigRequest.DefaultPreset, string Ablation = "full", int? Epochs = null,
    int? BatchSize = null, int? EvaluateEvery = null, IReadOnlyList<int>? Seeds = null, IReadOnlyList<string>? Overrides = null,
    IReadOnlyList<string>? Categories = null, string NormalClasses = "", string Device = "auto", string Queue = Queues.Training);

/// <summary>Import a zip posted to <c>POST /datasets/uploads</c> (its upload id) or a folder on the server.</summary>
public sealed record ImportDatasetBody(string Name, string? Upload = null, string? Folder = null, string NormalClasses = "");

/// <summary>The HTTP API: what the pages do, for scripts (sweeps, exports). JSON in and out, enums as names; bad input
/// is a 400 that lists every problem, as the New run form does.</summary>
public static class ApiEndpoints
{
    public static void AddLabApi(this WebApplicationBuilder builder)
    {
        builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.Converters.Add(new JsonStringEnumConverter()));
        // A body that is not JSON, or holds a value of the wrong type, is thrown rather than answered with an empty 400,
        // so that the answer can say what is wrong (ErrorHandlingExtensions).
        builder.Services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
    }

    public static void MapLabApi(this WebApplication app)
    {
        var api = app.MapGroup("/api");
        api.MapGet("/datasets", (DatasetCatalog catalog, CancellationToken cancel) => catalog.ListAsync(cancel));
        api.MapPost("/datasets", ImportAsync);
        api.MapGet("/runs", async (RunQueries queries, CancellationToken cancel, string? search, bool archived = false, int page = 0,
            int pageSize = 50, string? sortBy = null, bool descending = true) =>
        {
            var result = await queries.PageAsync(new RunPageRequest(page, Math.Clamp(pageSize, 1, 1000), sortBy, descending, search, archived), cancel);
            return new { result.Total, Runs = result.Runs.Select(RunSummary.Of) };
        });
        api.MapGet("/runs/{id:int}", async (int id, RunQueries queries, CancellationToken cancel) =>
            await queries.GetAsync(id, cancel) is { } run ? Results.Ok(run) : NoSuchRun(id));
        api.MapPost("/runs", QueueAsync);
        api.MapPost("/runs/{id:int}/cancel", (int id, RunQueries queries, RunLauncher launcher, CancellationToken cancel) =>
            WithRunAsync(id, queries, () => launcher.CancelAsync(id, cancel), cancel));
        api.MapPost("/runs/{id:int}/resume", (int id, RunQueries queries, RunLauncher launcher, CancellationToken cancel) =>
            WithRunAsync(id, queries, () => launcher.ResumeAsync(id, cancel), cancel));
    }

    private static async Task<IResult> QueueAsync(QueueRunsBody body, DatasetCatalog catalog, RunLauncher launcher, IOptions<LabOptions> options,
        CancellationToken cancel)
    {
        var (draft, problems) = await DraftAsync(body, catalog, options, cancel);
        problems.AddRange(draft.Problems());
        if (problems.Count > 0) return Problems([.. problems]);
        var ids = await launcher.QueueAsync(draft.ToRequest(Environment.UserName), cancel);
        return Results.Created($"/api/runs/{ids[0]}", new { Ids = ids });
    }

    /// <summary>The New run form filled from a request body, with the problems only the server can see (the dataset, its
    /// categories, the queues); the form's own problems are left to the caller, which may add its own rules.</summary>
    internal static async Task<(RunDraft Draft, List<string> Problems)> DraftAsync(QueueRunsBody body, DatasetCatalog catalog,
        IOptions<LabOptions> options, CancellationToken cancel)
    {
        var draft = new RunDraft { KeptEfficientNetB4Weights = OfficialImports.KeptEfficientNetB4(options.Value) };
        draft.ApplyPreset(body.Preset);
        draft.DatasetId = body.DatasetId;
        draft.Name = body.Name;
        draft.Ablation = body.Ablation;
        draft.Epochs = body.Epochs ?? draft.Epochs;
        draft.BatchSize = body.BatchSize ?? draft.BatchSize;
        draft.EvaluateEvery = body.EvaluateEvery ?? draft.EvaluateEvery;
        if (body.Seeds is { } seeds) draft.Seeds = string.Join(',', seeds);
        draft.Overrides = string.Join('\n', body.Overrides ?? []);
        (draft.Categories, draft.NormalClasses, draft.Device, draft.Queue) = (body.Categories ?? [], body.NormalClasses, body.Device, body.Queue);

        var problems = new List<string>();
        if (await catalog.FindAsync(body.DatasetId, cancel) is null) problems.Add($"dataset {body.DatasetId} does not exist");
        else
        {
            var known = await catalog.CategoriesAsync(body.DatasetId, cancel);
            problems.AddRange(draft.Categories.Except(known).Select(c => $"the dataset has no category '{c}'"));
        }
        var queues = options.Value.Workers.Keys;                             // the queues this lab serves
        if (!queues.Contains(body.Queue)) problems.Add($"unknown queue '{body.Queue}'; known: {string.Join(", ", queues)}");
        return (draft, problems);
    }

    /// <summary>Stages and validates the source, then stores it unless the report has errors (the answer carries the
    /// report either way), as the Datasets page does after its confirm button.</summary>
    private static async Task<IResult> ImportAsync(ImportDatasetBody body, DatasetCatalog catalog, CancellationToken cancel)
    {
        if ((body.Upload is null) == (body.Folder is null)) return Problems("give either an upload id or a server folder");
        StagedImport staged;
        try
        {
            var request = new ImportRequest(body.Folder ?? "", body.Name.Trim(), CreatedBy: Environment.UserName,
                NormalClasses: ClassFolderOptions.FromText(body.NormalClasses)?.NormalClasses);
            staged = body.Upload is { } upload ? await catalog.StageUploadAsync(upload, request, cancel: cancel) : await catalog.StageServerFolderAsync(request, cancel: cancel);
        }
        catch (Exception e) when (UserErrors.Are(e)) { return Problems(UserErrors.OneLine(e)); }
        using (staged)
        {
            if (staged.Report.HasErrors)
                return Results.BadRequest(new { Problems = staged.Report.Errors.Select(p => p.Line), staged.Report });
            var record = await catalog.CommitAsync(staged, cancel);
            return Results.Created($"/api/datasets/{record.Id}", new { Dataset = record, staged.Report });
        }
    }

    private static async Task<IResult> WithRunAsync(int id, RunQueries queries, Func<Task> action, CancellationToken cancel)
    {
        if (await queries.GetAsync(id, cancel) is null) return NoSuchRun(id);
        try { await action(); }
        catch (UserException e) { return Problems(e.Message); }
        return Results.Ok(RunSummary.Of((await queries.GetAsync(id, cancel))!));
    }

    internal static IResult Problems(params string[] problems) => Results.BadRequest(new { Problems = problems });

    internal static IResult NoSuchRun(int id) => Results.NotFound(new { Problems = new[] { $"run {id} does not exist" } });
}
