using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi;
using UniAD.Lab.Web.Api.Contracts;

namespace UniAD.Lab.Web.Api;

/// <summary><c>/api/uploads</c>: a file as the raw request body (a dataset zip, an official checkpoint, its YAML), streamed
/// to disk up to <c>Lab:MaxUploadBytes</c>; the answer's id names it to the request that uses it.</summary>
public static class UploadsApi
{
    public static void MapUploadsApi(this IEndpointRouteBuilder api)
    {
        api.MapPost("/uploads", SaveAsync).ForResearchers().WithTags("Uploads")
            .WithSummary("Stream a file to the lab; its upload id is used once, by a dataset import or an official import")
            .AddOpenApiOperationTransformer((operation, _, _) =>
            {
                // The body is the file itself, of any media type (a zip, a checkpoint, a YAML). Said in the document only:
                // an Accepts declaration would make routing refuse every other media type.
                operation.RequestBody = new OpenApiRequestBody
                {
                    Required = true, Description = "the file, as it is",
                    Content = new Dictionary<string, OpenApiMediaType>
                    {
                        ["application/octet-stream"] = new() { Schema = new OpenApiSchema { Type = JsonSchemaType.String, Format = "binary" } },
                    },
                };
                return Task.CompletedTask;
            })
            .Problems(413, 507);
    }

    private static async Task<Created<UploadResponse>> SaveAsync(HttpContext http, IOptions<LabOptions> options)
    {
        http.Features.GetRequiredFeature<IHttpMaxRequestBodySizeFeature>().MaxRequestBodySize = options.Value.MaxUploadBytes;
        var id = await Uploads.SaveAsync(options.Value, http.Request.Body, http.RequestAborted);
        return TypedResults.Created((string?)null, new UploadResponse(id, new FileInfo(Uploads.PathOf(options.Value, id)).Length));
    }
}
