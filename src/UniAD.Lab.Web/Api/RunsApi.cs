using System.Security.Claims;
using System.IO.Compression;
using Microsoft.AspNetCore.Http.HttpResults;
using UniAD.Core;
using UniAD.Core.Interop;
using UniAD.Core.Training;
using UniAD.Lab.Runs;
using UniAD.Lab.Web.Accounts;
using UniAD.Lab.Web.Api.Contracts;

namespace UniAD.Lab.Web.Api;

/// <summary><c>/api/runs</c>: the runs table, one run, queueing (through <see cref="RunRequests"/>, as the New run form),
/// cancel and resume, a run's files and heatmaps, and runs to and from the official UniAD code.</summary>
public static class RunsApi
{
    public static void MapRunsApi(this IEndpointRouteBuilder api)
    {
        var runs = api.MapGroup("/runs").WithTags("Runs");
        runs.MapGet("", ListAsync).WithSummary("A page of runs with their summary metrics, sorted and searched in the database")
            .WithDescription($"sortBy is one of the row's columns: {string.Join(", ", RunQueries.SortableColumns)}. pageSize is at most Lab:Limits:PageSize (1000). " +
                             "createdBy keeps the runs one user queued.")
            .Problems(400);
        runs.MapGet("/{id:int}", GetAsync).WithSummary("One run: its config, status, history, per-category results, test evaluations and record").Problems(404);
        runs.MapPost("", QueueAsync).ForResearchers().WithSummary("Queue one run per seed, as the New run form does")
            .WithDescription("Every problem is listed at once; nothing is queued unless there is none. At most Lab:Limits:RunsPerRequest (500) runs a request.")
            .Problems(400);
        runs.MapPost("/cancel", CancelManyAsync).ForResearchers().WithSummary("Cancel the queued and running runs of a selection (ids, a group or a study) in one transaction")
            .Problems(400);
        runs.MapPost("/{id:int}/cancel", CancelAsync).ForResearchers().WithSummary("Cancel a queued or running run; a running one stops after its batch").Problems(404);
        runs.MapPost("/{id:int}/resume", ResumeAsync).ForResearchers().WithSummary("Queue a failed or cancelled run again, to continue from its last checkpoint")
            .Problems(404, 409);
        runs.MapGet("/{id:int}/files/{name}", FileAsync).WithSummary("A file of the run's folder: results, maps, checkpoint, history, log")
            .WithDescription($"name is one of {string.Join(", ", RunFolder.Downloads)}.")
            .Produces(StatusCodes.Status200OK, contentType: "application/octet-stream").Problems(404);
        runs.MapGet("/{id:int}/heatmaps/{index:int}.png", HeatmapAsync)
            .WithSummary("A test image under its anomaly map, on the run's one colour scale (scale=image: its own min–max; low and high: a shared scale)")
            .Produces(StatusCodes.Status200OK, contentType: "image/png").Problems(400, 404);
        runs.MapGet("/{id:int}/official.zip", ExportOfficialAsync)
            .WithSummary("An EfficientNet-B4 run as the official code's ckpt.pth.tar and config.yaml")
            .Produces(StatusCodes.Status200OK, contentType: "application/zip").Problems(404, 409);
        runs.MapPost("/import-official", ImportOfficialAsync).ForResearchers()
            .WithSummary("Check an official checkpoint against its YAML (both uploaded first), then queue its evaluation on a stored dataset")
            .Problems(400, 404);
    }

    private static async Task<Ok<RunListResponse>> ListAsync(RunQueries queries, CancellationToken cancel, string? search = null, bool archived = false,
        int page = 0, int pageSize = 50, string? sortBy = null, bool descending = true, string? createdBy = null)
    {
        var result = await queries.PageAsync(new RunPageRequest(page, pageSize, sortBy, descending, search, archived, createdBy), cancel);
        return TypedResults.Ok(new RunListResponse(result.Total, result.Runs));
    }

    private static async Task<Ok<RunResponse>> GetAsync(int id, RunQueries queries, CancellationToken cancel) =>
        TypedResults.Ok(RunResponse.Of(await DetailAsync(id, queries, cancel)));

    private static async Task<RunDetail> DetailAsync(int id, RunQueries queries, CancellationToken cancel) =>
        await queries.DetailAsync(id, cancel) ?? throw new NotFoundException($"run {id} does not exist");

    private static async Task<Created<QueuedRunsResponse>> QueueAsync(QueueRunsRequest body, RunRequests requests, ClaimsPrincipal user, CancellationToken cancel)
    {
        var ids = await requests.QueueAsync(body.ToSpec(), user.Actor().Name, cancel);
        return TypedResults.Created($"/api/runs/{ids[0]}", new QueuedRunsResponse(ids));
    }

    private static async Task<Ok<CancelledRunsResponse>> CancelManyAsync(CancelRunsRequest body, RunLauncher launcher, ClaimsPrincipal user, CancellationToken cancel) =>
        TypedResults.Ok(new CancelledRunsResponse(await launcher.CancelAsync(body.ToSelection(), user.Actor(), cancel)));

    private static async Task<Ok<RunRow>> CancelAsync(int id, RunLauncher launcher, RunQueries queries, ClaimsPrincipal user, CancellationToken cancel)
    {
        await launcher.CancelAsync(id, user.Actor(), cancel);
        return TypedResults.Ok((await queries.RowAsync(id, cancel))!);
    }

    private static async Task<Ok<RunRow>> ResumeAsync(int id, RunLauncher launcher, RunQueries queries, ClaimsPrincipal user, CancellationToken cancel)
    {
        await launcher.ResumeAsync(id, user.Actor(), cancel);
        return TypedResults.Ok((await queries.RowAsync(id, cancel))!);
    }

    private static async Task<PhysicalFileHttpResult> FileAsync(int id, string name, RunQueries queries, CancellationToken cancel)
    {
        var folder = await queries.FolderAsync(id, cancel) ?? throw new NotFoundException($"run {id} does not exist");
        if (!RunFolder.Downloads.Contains(name) || !folder.Has(name))
            throw new NotFoundException($"run {id} has no file '{name}'; it has {string.Join(", ", RunFolder.Downloads.Where(folder.Has))}");
        return TypedResults.PhysicalFile(folder.PathOf(name), ContentTypeOf(name), $"run-{id}-{name}");
    }

    private static async Task<FileContentHttpResult> HeatmapAsync(int id, int index, string? scale, float? low, float? high, RunMaps maps) =>
        TypedResults.File(await maps.TileAsync(id, index, perImageScale: scale == "image", low is float l && high is float h ? (l, h) : null)
            ?? throw new NotFoundException($"run {id} has no saved anomaly map {index}"), "image/png");

    /// <summary>The media type a run's file is served as (a checkpoint and the maps are zip archives).</summary>
    private static string ContentTypeOf(string name) => Path.GetExtension(name) switch
    {
        ".csv" => "text/csv", ".json" => "application/json", ".log" => "text/plain", _ => "application/zip",
    };

    private static async Task<FileStreamHttpResult> ExportOfficialAsync(int id, RunQueries queries, CancellationToken cancel)
    {
        var detail = await DetailAsync(id, queries, cancel);
        if (!detail.CanExportOfficial)
            throw new ConflictException($"run {id} is {detail.Run.Status.ToString().ToLowerInvariant()} with a {detail.Config.Backbone.Kind} backbone; " +
                                        "only finished EfficientNet-B4 runs export to the official code");
        var folder = Directory.CreateTempSubdirectory("uniad-export-").FullName;
        try
        {
            OfficialRun.Export(detail.Run.Folder, folder);
            var zip = new MemoryStream();                                        // disposed by the result, once sent
            using (var archive = new ZipArchive(zip, ZipArchiveMode.Create, leaveOpen: true))
                foreach (var name in new[] { OfficialRun.ExportCheckpointFile, OfficialRun.ExportConfigFile })
                    archive.CreateEntryFromFile(Path.Combine(folder, name), name, CompressionLevel.NoCompression);
            zip.Position = 0;
            return TypedResults.File(zip, "application/zip", $"run-{id}-official.zip");
        }
        finally { Directory.Delete(folder, recursive: true); }
    }

    private static async Task<Created<QueuedRunResponse>> ImportOfficialAsync(ImportOfficialRequest body, OfficialImports imports, ClaimsPrincipal user, CancellationToken cancel)
    {
        int id = await imports.QueueAsync(new OfficialUpload(body.CheckpointUpload, body.CheckpointName, body.ConfigUpload, body.ConfigName,
            body.DatasetId, body.Name, body.KeepBackbone, body.Device, user.Actor().Name, body.Categories), cancel);
        return TypedResults.Created($"/api/runs/{id}", new QueuedRunResponse(id));
    }
}
