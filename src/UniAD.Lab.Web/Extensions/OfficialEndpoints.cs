using UniAD.Core;
using System.IO.Compression;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;
using UniAD.Core.Interop;
using UniAD.Lab.Runs;

namespace UniAD.Lab.Web.Extensions;

/// <param name="CheckpointUpload">Upload id of the <c>ckpt.pth.tar</c> (<c>POST /uploads</c>).</param>
/// <param name="ConfigUpload">Upload id of its <c>config.yaml</c>.</param>
public sealed record ImportOfficialBody(string CheckpointUpload, string ConfigUpload, int DatasetId, string Name,
    string CheckpointName = OfficialRun.ExportCheckpointFile, string ConfigName = OfficialRun.ExportConfigFile, bool KeepBackbone = false,
    string Device = "auto", IReadOnlyList<string>? Categories = null);

/// <summary>Runs to and from the official UniAD code over HTTP (docs/model.md section 6): raw uploads (<c>POST /uploads</c>),
/// the import (<c>POST /api/runs/import-official</c>) and a run's export (<c>GET /runs/{id}/official.zip</c>).</summary>
public static class OfficialEndpoints
{
    public static void MapOfficialInterop(this WebApplication app)
    {
        // A file as the raw request body, streamed to uploads/ up to Lab:MaxUploadBytes; the answer is its upload id.
        app.MapPost("/uploads", async (HttpContext http, IOptions<LabOptions> options) =>
        {
            http.Features.GetRequiredFeature<IHttpMaxRequestBodySizeFeature>().MaxRequestBodySize = options.Value.MaxUploadBytes;
            try { return Results.Ok(new { upload = await Uploads.SaveAsync(options.Value, http.Request.Body, http.RequestAborted) }); }
            catch (TooLargeException e) { return Results.Json(new { Problems = new[] { e.Message } }, statusCode: StatusCodes.Status413PayloadTooLarge); }
        });
        app.MapPost("/api/runs/import-official", async (ImportOfficialBody body, OfficialImports imports, CancellationToken cancel) =>
        {
            try
            {
                int id = await imports.QueueAsync(new OfficialUpload(body.CheckpointUpload, body.CheckpointName, body.ConfigUpload, body.ConfigName,
                    body.DatasetId, body.Name, body.KeepBackbone, body.Device, Environment.UserName, body.Categories), cancel);
                return Results.Created($"/api/runs/{id}", new { Id = id });
            }
            catch (Exception e) when (UserErrors.Are(e)) { return ApiEndpoints.Problems(UserErrors.OneLine(e)); }
        });
        app.MapGet("/runs/{id:int}/official.zip", async (int id, RunQueries queries, CancellationToken cancel) =>
        {
            if (await queries.GetAsync(id, cancel) is not { } run) return ApiEndpoints.NoSuchRun(id);
            var folder = Directory.CreateTempSubdirectory("uniad-export-").FullName;
            try
            {
                OfficialRun.Export(run.Folder, folder);
                var zip = new MemoryStream();
                using (var archive = new ZipArchive(zip, ZipArchiveMode.Create, leaveOpen: true))
                    foreach (var name in new[] { OfficialRun.ExportCheckpointFile, OfficialRun.ExportConfigFile })
                        archive.CreateEntryFromFile(Path.Combine(folder, name), name, CompressionLevel.NoCompression);
                zip.Position = 0;
                return Results.File(zip, "application/zip", $"run-{id}-official.zip");
            }
            catch (Exception e) when (UserErrors.Are(e)) { return ApiEndpoints.Problems(UserErrors.OneLine(e)); }
            finally { Directory.Delete(folder, recursive: true); }
        });
    }
}
