using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Mvc;
using Microsoft.OpenApi;
using UniAD.Core;
using UniAD.Lab.Web.Accounts;

namespace UniAD.Lab.Web.Api;

/// <summary>The HTTP API in one style: everything under <c>/api</c>, a route group per feature, response records, RFC 9457
/// problem details for every error (ErrorHandlingExtensions maps exceptions to them), JSON with enums as names and every
/// time in UTC with its offset, and an OpenAPI document at <c>/openapi/v1.json</c> (the API reference page reads it).</summary>
public static class ApiExtensions
{
    public const string DocumentName = "v1", DocumentPath = "/openapi/v1.json";

    public static void AddLabApi(this WebApplicationBuilder builder)
    {
        builder.Services.ConfigureHttpJsonOptions(o =>
        {
            o.SerializerOptions.Converters.Add(new JsonStringEnumConverter());
            // A body that leaves out a field with no default (a dataset's name, a variant's name, a sweep axis's values) is
            // refused as a 400 that names it, instead of reaching the lab as null.
            o.SerializerOptions.RespectRequiredConstructorParameters = true;
        });
        // A body that is not JSON, or holds a value of the wrong type, is thrown rather than answered with an empty 400,
        // so that the answer can say what is wrong (ErrorHandlingExtensions).
        builder.Services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        builder.Services.AddProblemDetails();
        builder.Services.AddSingleton<ApiReference>();
        builder.Services.AddOpenApi(DocumentName, openApi =>
        {
            openApi.AddDocumentTransformer((document, _, _) =>
            {
                document.Info = new OpenApiInfo
                {
                    Title = "UniAD Lab", Version = DocumentName,
                    Description = "Datasets, runs, studies and comparisons of the lab, for scripts: what the pages do. Every error is problem " +
                                  "details with the list of problems ('problems') and, for a fault of the lab, the id of its log entry ('errorId').",
                };
                return Task.CompletedTask;
            });
            openApi.AddSchemaTransformer((schema, context, _) =>
            {
                if (context.JsonTypeInfo.Type != typeof(ProblemDetails)) return Task.CompletedTask;
                schema.Properties ??= new Dictionary<string, IOpenApiSchema>();
                schema.Properties[ApiProblem.ProblemsKey] = new OpenApiSchema
                {
                    Type = JsonSchemaType.Array, Items = new OpenApiSchema { Type = JsonSchemaType.String },
                    Description = "Every problem, one line each",
                };
                schema.Properties[ApiProblem.ErrorIdKey] = new OpenApiSchema
                {
                    Type = JsonSchemaType.String, Description = "For a fault of the lab: the id of the log entry that holds it",
                };
                return Task.CompletedTask;
            });
        });
    }

    public static void MapLabApi(this WebApplication app)
    {
        app.MapOpenApi(DocumentPath);
        var api = app.MapGroup("/api").RequireAuthorization(LabPolicies.Viewer)
            .AddEndpointFilter(BrowsersSendAntiforgeryTokens)
            .ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status500InternalServerError);
        api.MapDatasetsApi();
        api.MapUploadsApi();
        api.MapRunsApi();
        api.MapStudiesApi();
        api.MapCompareApi();
        api.MapAuditApi();
        api.MapWorkersApi();
        api.MapAccountsApi();
        app.MapMovedRoutes();
    }

    /// <summary>Another site must not make a visitor's browser change the lab. A request that changes something and
    /// comes from a browser signed in by the login cookie carries the antiforgery token (header
    /// <c>RequestVerificationToken</c>, from <c>/account/antiforgery</c>; upload.js sends it). In laptop mode there is no
    /// cookie, so a browser's change must come from the lab's own pages (its Origin); scripts send no Origin. Scripts
    /// with a token have no cookie to abuse.</summary>
    private static async ValueTask<object?> BrowsersSendAntiforgeryTokens(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        if (HttpMethods.IsGet(http.Request.Method) || HttpMethods.IsHead(http.Request.Method)) return await next(context);
        if (http.User.ByCookie() && !await http.RequestServices.GetRequiredService<IAntiforgery>().IsRequestValidAsync(http))
            throw new ForbiddenException("this request comes from a signed-in browser without the lab's antiforgery token " +
                                         "(header RequestVerificationToken, from GET /account/antiforgery)");
        if (http.User.Identity?.AuthenticationType == LaptopAuthentication.Name && OtherSite(http.Request) is { } origin)
            throw new ForbiddenException($"a page of another site ({origin}) may not change this lab: in laptop mode changes come from the lab's own pages or from scripts");
        return await next(context);
    }

    /// <summary>The Origin of a browser's request from a page of another site; null for the lab's own pages and for scripts.</summary>
    private static string? OtherSite(HttpRequest request)
    {
        var origin = request.Headers.Origin.ToString();
        if (origin.Length == 0) return null;
        return Uri.TryCreate(origin, UriKind.Absolute, out var uri) && string.Equals(uri.Authority, request.Host.Value, StringComparison.OrdinalIgnoreCase) ? null : origin;
    }

    /// <summary>Routes the lab answered outside <c>/api</c> before the API had one style: each now redirects, method and
    /// body kept (308), to where it lives (README, "HTTP API").</summary>
    private static void MapMovedRoutes(this WebApplication app)
    {
        void Moved(string method, string from, Func<HttpContext, string> to) =>
            app.MapMethods(from, [method], (HttpContext http) => Results.Redirect(to(http) + http.Request.QueryString, permanent: true, preserveMethod: true))
                .ExcludeFromDescription();
        string Value(HttpContext http, string key) => (string)http.Request.RouteValues[key]!;
        Moved("POST", "/uploads", _ => "/api/uploads");
        Moved("POST", "/datasets/uploads", _ => "/api/uploads");
        Moved("GET", "/runs/{id:int}/files/{name}", http => $"/api/runs/{Value(http, "id")}/files/{Uri.EscapeDataString(Value(http, "name"))}");
        Moved("GET", "/runs/{id:int}/official.zip", http => $"/api/runs/{Value(http, "id")}/official.zip");
        Moved("GET", "/runs/{id:int}/heatmaps/{index:int}.png", http => $"/api/runs/{Value(http, "id")}/heatmaps/{Value(http, "index")}.png");
        Moved("GET", "/datasets/{id:int}/images/{index:int}.png", http => $"/api/datasets/{Value(http, "id")}/images/{Value(http, "index")}.png");
        Moved("GET", "/compare/heatmaps/difference.png", _ => "/api/compare/heatmaps/difference.png");
    }
}
