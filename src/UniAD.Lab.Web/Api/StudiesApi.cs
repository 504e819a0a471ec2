using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using UniAD.Core;
using UniAD.Lab.Compare;
using UniAD.Lab.Runs;
using UniAD.Lab.Studies;
using UniAD.Lab.Web.Accounts;
using UniAD.Lab.Web.Api.Contracts;

namespace UniAD.Lab.Web.Api;

/// <summary><c>/api/studies</c>: ablation studies and sweeps (queued through <see cref="RunRequests"/>, as the New study
/// form), their progress, their matrices for a paper, and cancelling all their runs.</summary>
public static class StudiesApi
{
    public static void MapStudiesApi(this IEndpointRouteBuilder api)
    {
        var studies = api.MapGroup("/studies").WithTags("Studies");
        studies.MapGet("", ListAsync).WithSummary("Studies with the progress of their runs, newest first");
        studies.MapGet("/{id:int}", GetAsync).WithSummary("One study with its variants and their runs").Problems(404);
        studies.MapPost("", CreateAsync).ForResearchers().WithSummary("Check a study (every problem listed), store it with all its runs and queue them")
            .WithDescription("At most Lab:Limits:RunsPerRequest (500) runs: variants × seeds.").Problems(400);
        studies.MapGet("/{id:int}/matrix", MatrixAsync)
            .WithSummary("The study's matrix of one metric: variants × categories and the mean, with the paired tests against the baseline")
            .WithDescription("format=json (default), csv (every number at full precision, fractions) or latex (booktabs, percent).")
            .Produces(StatusCodes.Status200OK, contentType: "text/csv").Produces(StatusCodes.Status200OK, contentType: "application/x-latex")
            .Problems(400, 404);
        studies.MapPost("/{id:int}/cancel", CancelAsync).ForResearchers().WithSummary("Cancel every queued and running run of the study in one transaction").Problems(404);
    }

    private static async Task<Ok<StudySummaryResponse[]>> ListAsync(StudyQueries studies, CancellationToken cancel) =>
        TypedResults.Ok((await studies.ListAsync(cancel)).Select(StudySummaryResponse.Of).ToArray());

    private static async Task<Ok<StudyResponse>> GetAsync(int id, StudyQueries studies, CancellationToken cancel) =>
        TypedResults.Ok(StudyResponse.Of(await DetailAsync(id, studies, cancel)));

    private static async Task<StudyDetail> DetailAsync(int id, StudyQueries studies, CancellationToken cancel) =>
        await studies.GetAsync(id, cancel) ?? throw new NotFoundException($"study {id} does not exist");

    private static async Task<Created<StudyResponse>> CreateAsync(CreateStudyRequest body, RunRequests requests, StudyQueries studies,
        ClaimsPrincipal user, CancellationToken cancel)
    {
        int id = await requests.QueueAsync(body.ToSpec(), user.Actor().Name, cancel);
        return TypedResults.Created($"/api/studies/{id}", StudyResponse.Of(await DetailAsync(id, studies, cancel)));
    }

    private static async Task<Results<Ok<MatrixResponse>, ContentHttpResult>> MatrixAsync(int id, string? metric, string? format,
        StudyQueries studies, CancellationToken cancel)
    {
        var study = await DetailAsync(id, studies, cancel);
        var matrix = study.Matrix(Metrics.Parse(metric));
        if (MatrixFormats.IsJson(format)) return TypedResults.Ok(MatrixResponse.Of(matrix));
        return MatrixFormats.Text(matrix, format!, $"UniAD Lab study {id} \"{study.Study.Name}\"");
    }

    private static async Task<Ok<CancelledRunsResponse>> CancelAsync(int id, RunLauncher launcher, ClaimsPrincipal user, CancellationToken cancel) =>
        TypedResults.Ok(new CancelledRunsResponse(await launcher.CancelAsync(new RunSelection(StudyId: id), user.Actor(), cancel)));
}
