using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using UniAD.Core;
using UniAD.Core.Data;
using UniAD.Datasets;
using UniAD.Lab.Datasets;
using UniAD.Lab.Web.Accounts;
using UniAD.Lab.Web.Api.Contracts;

namespace UniAD.Lab.Web.Api;

/// <summary><c>/api/datasets</c>: stored dataset versions, imports (from an upload or a server folder) and their images.</summary>
public static class DatasetsApi
{
    public static void MapDatasetsApi(this IEndpointRouteBuilder api)
    {
        var datasets = api.MapGroup("/datasets").WithTags("Datasets");
        datasets.MapGet("", ListAsync).WithSummary("Stored dataset versions, by name, newest first");
        datasets.MapGet("/{id:int}", GetAsync).WithSummary("One stored dataset version").Problems(404);
        datasets.MapPost("", ImportAsync).ForResearchers()
            .WithSummary("Validate an upload or a server folder and store it unless its report has errors")
            .WithDescription("A server folder must lie under an import root: data/imports/ and the folders of Lab:ImportRoots. " +
                             "A report with errors is a 400 whose problems are the report's errors, with the report itself as the 'report' extension.")
            .Problems(400, 507);
        datasets.MapGet("/{id:int}/images/{index:int}.png", ImageAsync)
            .WithSummary("A test or training image of the version as a tile (its ground-truth mask outlined)")
            .Produces(StatusCodes.Status200OK, contentType: "image/png").Problems(404);
    }

    private static async Task<Ok<DatasetResponse[]>> ListAsync(DatasetCatalog catalog, ClaimsPrincipal user, CancellationToken cancel) =>
        TypedResults.Ok((await catalog.ListAsync(cancel)).Select(d => DatasetResponse.Of(d, user.SeesServerPaths())).ToArray());

    private static async Task<Ok<DatasetResponse>> GetAsync(int id, DatasetCatalog catalog, ClaimsPrincipal user, CancellationToken cancel) =>
        TypedResults.Ok(DatasetResponse.Of(await catalog.FindAsync(id, cancel) ?? throw new NotFoundException($"dataset {id} does not exist"), user.SeesServerPaths()));

    /// <summary>Stages and validates the source, then stores it unless the report has errors, as the Datasets page does
    /// after its confirm button.</summary>
    private static async Task<Results<Created<ImportedDatasetResponse>, ProblemHttpResult>> ImportAsync(ImportDatasetRequest body,
        DatasetCatalog catalog, ClaimsPrincipal user, CancellationToken cancel)
    {
        if ((body.Upload is null) == (body.Folder is null)) throw new UserException("give either an upload id or a server folder");
        var request = new ImportRequest(body.Folder ?? "", body.Name.Trim(), CreatedBy: user.Actor().Name,
            NormalClasses: ClassFolderOptions.FromText(body.NormalClasses)?.NormalClasses);
        using var staged = body.Upload is { } upload
            ? await catalog.StageUploadAsync(upload, request, cancel: cancel)
            : await catalog.StageServerFolderAsync(request, cancel: cancel);
        if (staged.Report.HasErrors)
        {
            var problem = ApiProblem.Details(StatusCodes.Status400BadRequest, [.. staged.Report.Errors.Select(p => p.Line)]);
            problem.Extensions["report"] = staged.Report;
            return TypedResults.Problem(problem);
        }
        var record = await catalog.CommitAsync(staged, cancel);
        return TypedResults.Created($"/api/datasets/{record.Id}", new ImportedDatasetResponse(DatasetResponse.Of(record, user.SeesServerPaths()), staged.Report));
    }

    private static async Task<FileContentHttpResult> ImageAsync(int id, int index, DatasetBrowser browser) =>
        TypedResults.File(await browser.TileAsync(id, index) ?? throw new NotFoundException($"dataset {id} has no image {index}"), "image/png");
}
