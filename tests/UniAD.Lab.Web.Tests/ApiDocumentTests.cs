using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor.Services;
using UniAD.Lab.Web.Api;
using UniAD.Lab.Web.Components.Pages.Api;
using UniAD.Lab.Web.Extensions;

namespace UniAD.Lab.Web.Tests;

/// <summary>The HTTP API and its OpenAPI document agree: the app is put together as Program.cs puts it, and every /api
/// endpoint of its own endpoint table must be in the document, under its path and method, with its declared answers
/// (success and problem details alike). An endpoint added without them fails here.</summary>
[Collection(WholeApp.Name)]
public sealed class ApiDocumentTests : IAsyncLifetime
{
    private WebApplication _app = null!;

    public async Task InitializeAsync() => _app = await WholeApp.StartAsync("uniad-openapi");   // the document is made from the endpoints routing has

    private IEnumerable<RouteEndpoint> ApiEndpoints => ((IEndpointRouteBuilder)_app).DataSources.SelectMany(d => d.Endpoints).OfType<RouteEndpoint>()
        .Where(e => e.RoutePattern.RawText!.StartsWith("/api/", StringComparison.Ordinal));

    /// <summary>A route as the document writes it: <c>/api/runs/{id:int}</c> is <c>/api/runs/{id}</c>.</summary>
    private static string DocumentPath(RouteEndpoint endpoint) =>
        "/" + string.Join('/', endpoint.RoutePattern.PathSegments.Select(segment => string.Concat(segment.Parts.Select(part => part switch
        {
            Microsoft.AspNetCore.Routing.Patterns.RoutePatternLiteralPart literal => literal.Content,
            Microsoft.AspNetCore.Routing.Patterns.RoutePatternParameterPart parameter => $"{{{parameter.Name}}}",
            Microsoft.AspNetCore.Routing.Patterns.RoutePatternSeparatorPart separator => separator.Content,
            _ => "",
        }))));

    [Fact]
    public async Task EveryApiEndpointIsInTheDocumentWithItsAnswers()
    {
        var document = await _app.Services.GetRequiredKeyedService<IOpenApiDocumentProvider>(ApiExtensions.DocumentName).GetOpenApiDocumentAsync();
        var endpoints = ApiEndpoints.ToList();
        Assert.True(endpoints.Count >= 20, $"{endpoints.Count} /api endpoints");
        foreach (var endpoint in endpoints)
        {
            var path = DocumentPath(endpoint);
            Assert.True(document.Paths.TryGetValue(path, out var item), $"{path} is missing from the OpenAPI document: {string.Join(", ", document.Paths.Keys)}");
            foreach (var method in endpoint.Metadata.GetMetadata<HttpMethodMetadata>()!.HttpMethods)
            {
                Assert.True(item!.Operations!.TryGetValue(new HttpMethod(method), out var operation), $"{method} {path} is missing from the OpenAPI document");
                var answers = operation!.Responses!;
                Assert.Contains(answers.Keys, status => status.StartsWith('2'));                              // what it answers when it works
                Assert.Contains("500", answers.Keys);                                                         // and a fault of the lab, as problem details
                Assert.All(answers.Where(a => a.Key.StartsWith('4') || a.Key.StartsWith('5')),
                    a => Assert.Contains("application/problem+json", a.Value.Content!.Keys));
                Assert.False(string.IsNullOrWhiteSpace(operation.Summary), $"{method} {path} has no summary");
            }
        }
        Assert.DoesNotContain(document.Paths.Keys, path => !path.StartsWith("/api/", StringComparison.Ordinal));   // moved routes are not the API
        var problem = document.Components!.Schemas!["ProblemDetails"];
        Assert.Contains(ApiProblem.ProblemsKey, problem.Properties!.Keys);
        Assert.Contains(ApiProblem.ErrorIdKey, problem.Properties!.Keys);
    }

    [Fact]
    public async Task TheReferencePageListsEveryOperationOfTheDocument()
    {
        await using var bunit = new BunitContext();
        bunit.Services.AddMudServices();
        bunit.Services.AddFallbackServiceProvider(_app.Services);
        bunit.JSInterop.Mode = JSRuntimeMode.Loose;

        var page = bunit.Render<ApiReferencePage>();

        int operations = ApiEndpoints.Sum(e => e.Metadata.GetMetadata<HttpMethodMetadata>()!.HttpMethods.Count);
        page.WaitForAssertion(() => Assert.Equal(operations, page.FindAll("[data-testid=api-operation]").Count));
        Assert.Contains("/api/runs/{id}/files/{name}", page.Markup);
    }

    /// <summary>Hangfire's registration hands the app's logger factory to Hangfire's process-wide log provider; once the app
    /// is gone, that provider is taken back, or the next lab in this process would log through a disposed factory.</summary>
    public async Task DisposeAsync()
    {
        await _app.DisposeAsync();
        Hangfire.Logging.LogProvider.SetCurrentLogProvider(null);
    }
}

/// <summary>Tests that start the whole web app run on their own: it sets process-wide state (Hangfire's log provider)
/// that the other tests' labs must not meet half-way.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class WholeApp
{
    public const string Name = "the whole web app";

    /// <summary>The web app put together and started as Program.cs does, on a loopback port of its own and a new data
    /// root, without job servers (nothing here trains).</summary>
    /// <param name="settings">More settings, e.g. Lab:Auth:Mode.</param>
    public static async Task<WebApplication> StartAsync(string name, IReadOnlyDictionary<string, string>? settings = null)
    {
        // Named as the lab is, so its static assets' manifest (copied beside the tests) is the one found.
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { ApplicationName = typeof(LabUiExtensions).Assembly.GetName().Name });
        builder.Configuration[$"{LabOptions.Section}:{nameof(LabOptions.DataRoot)}"] = TestScratch.NewFolder(name);
        builder.Configuration["Urls"] = "http://127.0.0.1:0";
        foreach (var (key, value) in settings ?? new Dictionary<string, string>()) builder.Configuration[key] = value;
        builder.AddLab(jobServers: false);
        var app = builder.Build();
        await app.PrepareLabAsync();
        Assert.True(await app.StartLabAsync(), "the lab refused to start");
        return app;
    }
}
