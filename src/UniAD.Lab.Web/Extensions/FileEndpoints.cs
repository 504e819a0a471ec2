using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;
using UniAD.Core.Training;
using UniAD.Lab.Datasets;
using UniAD.Lab.Runs;

namespace UniAD.Lab.Web.Extensions;

/// <summary>Downloads of a run's artifacts (<c>/runs/{id}/files/{name}</c>), its heatmap tiles
/// (<c>/runs/{id}/heatmaps/{index}.png</c>) and the difference of two runs' maps, a dataset's image tiles (<c>/datasets/{id}/images/{index}.png</c>), and
/// dataset uploads (<c>POST /datasets/uploads</c>).</summary>
public static class FileEndpoints
{
    /// <summary>The run files a user may download (<see cref="RunFolder.Downloads"/>), each with its content type: checkpoints
    /// and anomaly maps are zip archives.</summary>
    public static readonly IReadOnlyDictionary<string, string> Downloads = RunFolder.Downloads.ToDictionary(name => name, name =>
        Path.GetExtension(name) switch
        {
            ".csv" => "text/csv", ".json" => "application/json", ".log" => "text/plain", ".uniad" or ".npz" => "application/zip",
            var other => throw new InvalidOperationException($"no content type for the run file {name} ({other})"),
        });

    public static void MapLabFiles(this WebApplication app)
    {
        app.MapGet("/runs/{id:int}/files/{name}", async (int id, string name, RunQueries queries, CancellationToken cancel) =>
        {
            if (!Downloads.TryGetValue(name, out var contentType)) return Results.NotFound();
            var run = await queries.GetAsync(id, cancel);
            var path = run is null ? null : new RunFolder(run.Folder).PathOf(name);
            return path is not null && File.Exists(path)
                ? Results.File(path, contentType, $"run-{id}-{name}")
                : Results.NotFound();
        });
        // ?scale=image asks for per-image min–max; ?low=&high= a scale shared by several runs; the default is the run's one global scale.
        app.MapGet("/runs/{id:int}/heatmaps/{index:int}.png", async (int id, int index, string? scale, float? low, float? high, RunMaps gallery) =>
            await gallery.TileAsync(id, index, perImageScale: scale == "image", low is float l && high is float h ? (l, h) : null) is { } png
                ? Results.File(png, "image/png") : Results.NotFound());
        // Run b's map minus run a's on one test image (by key), on the scale ±limit.
        app.MapGet("/compare/heatmaps/difference.png", async (int a, int b, string image, float limit, RunMaps maps) =>
            await maps.DifferenceAsync(a, b, image, limit) is { } png ? Results.File(png, "image/png") : Results.NotFound());
        // A zip as the raw request body, streamed to uploads/ up to Lab:MaxUploadBytes; the answer is its upload id.
        app.MapPost("/datasets/uploads", async (HttpContext http, DatasetCatalog catalog, IOptions<LabOptions> options) =>
        {
            http.Features.GetRequiredFeature<IHttpMaxRequestBodySizeFeature>().MaxRequestBodySize = options.Value.MaxUploadBytes;
            try { return Results.Ok(new { upload = await catalog.SaveUploadAsync(http.Request.Body, http.RequestAborted) }); }
            catch (UniAD.Core.TooLargeException e) { return Results.Text(e.Message, statusCode: StatusCodes.Status413PayloadTooLarge); }
        });
        app.MapGet("/datasets/{id:int}/images/{index:int}.png", async (int id, int index, DatasetBrowser browser) =>
            await browser.TileAsync(id, index) is { } png ? Results.File(png, "image/png") : Results.NotFound());
    }
}
