using Microsoft.AspNetCore.Http.HttpResults;
using UniAD.Core;
using UniAD.Lab.Compare;
using UniAD.Lab.Runs;
using UniAD.Lab.Web.Api.Contracts;

namespace UniAD.Lab.Web.Api;

/// <summary><c>/api/compare</c>: runs or groups of runs side by side (as the compare view's URL names them), and the
/// difference of two runs' anomaly maps on one test image.</summary>
public static class CompareApi
{
    public static void MapCompareApi(this IEndpointRouteBuilder api)
    {
        var compare = api.MapGroup("/compare").WithTags("Compare");
        compare.MapGet("", CompareAsync)
            .WithSummary("The items, warnings, config differences and every metric's matrix of a comparison")
            .WithDescription("runs=3,7,12 (each run an item) or groups=name:3,4;5,6 (each group an item); baseline is an item's index. " +
                             "format=csv or latex with metric=… gives one metric's matrix as CSV or LaTeX.")
            .Produces(StatusCodes.Status200OK, contentType: "text/csv").Produces(StatusCodes.Status200OK, contentType: "application/x-latex")
            .Problems(400, 404);
        compare.MapGet("/heatmaps/difference.png", DifferenceAsync)
            .WithSummary("Run b's anomaly map minus run a's on one test image (by its key), blue to red on the scale ±limit")
            .Produces(StatusCodes.Status200OK, contentType: "image/png").Problems(400, 404);
    }

    private static async Task<Results<Ok<CompareResponse>, ContentHttpResult>> CompareAsync(string? runs, string? groups,
        string? metric, int? baseline, string? format, CompareQueries compare, CancellationToken cancel)
    {
        var comparison = await compare.BuildAsync(CompareSelection.Parse(runs, groups), withCurves: false, cancel);
        if (baseline is int b && (b < 0 || b >= comparison.Items.Count))
            throw new UserException($"baseline {b} is not an item index (0 to {comparison.Items.Count - 1})");
        if (MatrixFormats.IsJson(format)) return TypedResults.Ok(CompareResponse.Of(comparison, baseline));
        return MatrixFormats.Text(comparison.Matrix(Metrics.Parse(metric), baseline), format!, "UniAD Lab comparison");
    }

    private static async Task<FileContentHttpResult> DifferenceAsync(int a, int b, string image, float limit, RunMaps maps) =>
        TypedResults.File(await maps.DifferenceAsync(a, b, image, limit)
            ?? throw new NotFoundException($"runs {a} and {b} do not both have a saved anomaly map of '{image}'"), "image/png");
}
