using System.Net;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Components.Endpoints;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.AspNetCore.StaticAssets;
using Microsoft.Extensions.DependencyInjection;
using UniAD.Lab.Accounts;
using UniAD.Lab.Web.Api;

namespace UniAD.Lab.Web.Tests;

/// <summary>Every door of a lab with accounts, walked from the app's own endpoint table (pages, API, files, uploads,
/// the Blazor hub, the Hangfire dashboard), so an endpoint added without a rule fails here: an anonymous request gets
/// nothing but the sign-in pages, the health check and static files; a viewer changes nothing; a researcher opens no
/// admin door. The app is the real one on a loopback port, its users made by the application layer.</summary>
[Collection(WholeApp.Name)]
public sealed class EndpointRulesTests : IAsyncLifetime
{
    private const string Password = TeamApp.Password;
    private static readonly string[] Public = ["/health", "/account/login", "/account/setup", "/account/denied", "/account/logout"];

    private TeamApp _team = null!;
    private WebApplication _app = null!;
    private string _url = "";

    public async Task InitializeAsync()
    {
        _team = await TeamApp.StartAsync("uniad-doors");
        (_app, _url) = (_team.App, _team.Url);
    }

    public async Task DisposeAsync() => await _team.DisposeAsync();

    private IReadOnlyList<RouteEndpoint> Endpoints => [.. ((IEndpointRouteBuilder)_app).DataSources.SelectMany(d => d.Endpoints).OfType<RouteEndpoint>()];

    private static bool IsStaticFile(Endpoint endpoint) => endpoint.Metadata.GetMetadata<StaticAssetDescriptor>() is not null;

    private static IReadOnlyList<string> MethodsOf(RouteEndpoint endpoint) =>
        endpoint.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods is { Count: > 0 } methods ? [.. methods] : ["GET", "POST"];

    /// <summary>An address the endpoint answers: each route value filled in (a number where the route takes one).</summary>
    private static string UrlOf(RouteEndpoint endpoint) =>
        "/" + string.Join('/', endpoint.RoutePattern.PathSegments.Select(segment => string.Concat(segment.Parts.Select(part => part switch
        {
            RoutePatternLiteralPart literal => literal.Content,
            RoutePatternSeparatorPart separator => separator.Content,
            RoutePatternParameterPart { IsCatchAll: true } => "",
            RoutePatternParameterPart parameter => parameter.ParameterPolicies.Any(p => p.Content == "int") ? "1" : "x",
            _ => "",
        }))));

    private static string? PolicyOf(Endpoint endpoint) =>
        endpoint.Metadata.GetOrderedMetadata<IAuthorizeData>().Select(a => a.Policy).LastOrDefault(p => p is not null);

    private async Task<HttpClient> ClientAsync(string? user)
    {
        var http = AccountForms.Client(_url);
        if (user is not null) await AccountForms.SignInAsync(http, user, Password);
        return http;
    }

    private static async Task<HttpResponseMessage> SendAsync(HttpClient http, string method, string url) =>
        await http.SendAsync(new HttpRequestMessage(new HttpMethod(method), url) { Content = method == "GET" ? null : new StringContent("{}", System.Text.Encoding.UTF8, "application/json") });

    /// <summary>Refused: a status for scripts, or the page that says so (sign in, or not for your role).</summary>
    private static void AssertRefused(HttpResponseMessage answer, string page, string who, string door)
    {
        bool refused = answer.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden
                       || (answer.StatusCode == HttpStatusCode.Redirect && answer.Headers.Location!.OriginalString.Contains(page, StringComparison.Ordinal));
        Assert.True(refused, $"{door} answered {who} with {(int)answer.StatusCode} {answer.Headers.Location}");
    }

    [Fact]
    public void OnlyTheSignInPagesTheHealthCheckAndStaticFilesAreOpenToAnyone()
    {
        var open = Endpoints.Where(e => !IsStaticFile(e) && e.Metadata.GetMetadata<IAllowAnonymous>() is not null)
            .Select(e => e.RoutePattern.RawText!.TrimEnd('/')).Select(p => p.StartsWith('/') ? p : "/" + p).Distinct().Order();
        Assert.Equal(Public.Order(), open);
        Assert.True(Endpoints.Count(IsStaticFile) > 10, "the static files are in the endpoint table");
    }

    [Fact]
    public async Task AnAnonymousRequestToAnyOtherDoorIsRefused()
    {
        using var anonymous = await ClientAsync(null);
        var doors = Endpoints.Where(e => !IsStaticFile(e) && e.Metadata.GetMetadata<IAllowAnonymous>() is null).ToList();
        Assert.Contains(doors, e => e.RoutePattern.RawText!.StartsWith("/hangfire", StringComparison.Ordinal));
        Assert.Contains(doors, e => e.RoutePattern.RawText == "/api/uploads");
        Assert.Contains(doors, e => e.Metadata.GetMetadata<ComponentTypeMetadata>() is not null);
        foreach (var door in doors)
            foreach (var method in MethodsOf(door))
                AssertRefused(await SendAsync(anonymous, method, UrlOf(door)), "/account/login", "anyone", $"{method} {door.RoutePattern.RawText}");
    }

    [Fact]
    public async Task AViewerChangesNothingAndAResearcherOpensNoAdminDoor()
    {
        using var viewer = await ClientAsync("vic");
        using var researcher = await ClientAsync("rita");
        using var admin = await ClientAsync("root");
        int checkedDoors = 0;
        foreach (var door in Endpoints.Where(e => !IsStaticFile(e) && e.Metadata.GetMetadata<IAllowAnonymous>() is null))
        {
            var (url, pattern, policy) = (UrlOf(door), door.RoutePattern.RawText!, PolicyOf(door));
            bool api = pattern.StartsWith("/api/", StringComparison.Ordinal), hangfire = pattern.StartsWith("/hangfire", StringComparison.Ordinal);
            foreach (var method in MethodsOf(door))
            {
                bool ownAccount = door.Metadata.GetMetadata<OwnAccountOnly>() is not null;
                if ((api && method != "GET" && !ownAccount) || policy is LabRoles.Researcher or LabRoles.Admin || hangfire)
                {
                    AssertRefused(await SendAsync(viewer, method, url), "/account/denied", "a viewer", $"{method} {pattern}");
                    checkedDoors++;
                }
                if (policy == LabRoles.Admin || hangfire)
                    AssertRefused(await SendAsync(researcher, method, url), "/account/denied", "a researcher", $"{method} {pattern}");
            }
            // Every API write is a researcher's at least: one that fell back to the viewer's rule would be open to viewers.
            if (api && !MethodsOf(door).SequenceEqual(["GET"]) && door.Metadata.GetMetadata<OwnAccountOnly>() is null)
                Assert.True(policy is LabRoles.Researcher or LabRoles.Admin, $"{pattern} changes state under the viewer's rule");
        }
        Assert.True(checkedDoors >= 10, $"{checkedDoors} doors checked for a viewer");
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync("/hangfire")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await viewer.GetAsync("/api/runs")).StatusCode);
    }

    [Fact]
    public async Task ARefusedApiRequestSaysWhoAsksAndWhatRoleItNeeds()
    {
        using var viewer = await ClientAsync("vic");
        var answer = await SendAsync(viewer, "POST", "/api/runs/1/cancel");
        Assert.Equal(HttpStatusCode.Forbidden, answer.StatusCode);
        Assert.Equal("application/problem+json", answer.Content.Headers.ContentType?.MediaType);
        Assert.Contains("vic is a viewer: POST /api/runs/1/cancel needs the Researcher role", await answer.Content.ReadAsStringAsync());
    }
}
