using Microsoft.AspNetCore.Mvc;

namespace UniAD.Lab.Web.Api;

/// <summary>Every error the HTTP API answers is RFC 9457 problem details (<c>application/problem+json</c>): the status, its
/// title, the first problem as the detail, and two extensions, <c>problems</c> (every problem, one line each, as the
/// pages show them) and, for a fault of the lab, <c>errorId</c> (the id of the log entry that holds the exception).</summary>
public static class ApiProblem
{
    public const string ProblemsKey = "problems", ErrorIdKey = "errorId";

    public static ProblemDetails Details(int status, IReadOnlyList<string> problems, string? errorId = null)
    {
        var details = new ProblemDetails { Status = status, Detail = problems.Count > 0 ? problems[0] : null };
        details.Extensions[ProblemsKey] = problems;
        if (errorId is not null) details.Extensions[ErrorIdKey] = errorId;
        return details;
    }

    /// <summary>Writes the problem as the response, through the framework's writer (which fills in the type and title). The
    /// writer declines a request whose Accept header names no JSON (a script asking for a CSV or a zip); the problem is
    /// still the answer then, as JSON, rather than a 500 that loses it.</summary>
    public static async Task WriteAsync(HttpContext http, int status, IReadOnlyList<string> problems, string? errorId = null)
    {
        http.Response.StatusCode = status;
        var writer = http.RequestServices.GetRequiredService<IProblemDetailsService>();
        var context = new ProblemDetailsContext { HttpContext = http, ProblemDetails = Details(status, problems, errorId) };
        if (!await writer.TryWriteAsync(context))
            await http.Response.WriteAsJsonAsync(context.ProblemDetails, (System.Text.Json.JsonSerializerOptions?)null, ProblemJson);
    }

    public const string ProblemJson = "application/problem+json";

    /// <summary>An endpoint that changes what the lab holds: a researcher's or an admin's (a viewer gets a 403 that says
    /// so). The rest of the API is every signed-in user's, viewers included.</summary>
    public static RouteHandlerBuilder ForResearchers(this RouteHandlerBuilder endpoint) =>
        endpoint.RequireAuthorization(Accounts.LabPolicies.Researcher).Problems(StatusCodes.Status403Forbidden);

    /// <summary>Endpoints that change only the caller's own account (its tokens): anyone signed in, viewers included.
    /// Marked, so that the test of every door can tell them from a write left under the viewer's rule by mistake.</summary>
    public static RouteGroupBuilder ForOwnAccount(this RouteGroupBuilder group) =>
        group.RequireAuthorization(Accounts.LabPolicies.Viewer).WithMetadata(OwnAccountOnly.Instance);

    /// <summary>Declares, for the OpenAPI document, the problem statuses an endpoint answers besides 500.</summary>
    public static TBuilder Problems<TBuilder>(this TBuilder endpoint, params int[] statuses) where TBuilder : IEndpointConventionBuilder
    {
        foreach (var status in statuses) endpoint.ProducesProblem(status);
        return endpoint;
    }
}

/// <summary>The mark of an endpoint that changes only its caller's own account (<see cref="ApiProblem.ForOwnAccount"/>).</summary>
public sealed class OwnAccountOnly
{
    public static OwnAccountOnly Instance { get; } = new();
}
