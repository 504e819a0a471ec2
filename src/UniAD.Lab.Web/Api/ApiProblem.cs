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

    /// <summary>Writes the problem as the response, through the framework's writer (which fills in the type and title).</summary>
    public static async Task WriteAsync(HttpContext http, int status, IReadOnlyList<string> problems, string? errorId = null)
    {
        http.Response.StatusCode = status;
        var writer = http.RequestServices.GetRequiredService<IProblemDetailsService>();
        await writer.WriteAsync(new ProblemDetailsContext { HttpContext = http, ProblemDetails = Details(status, problems, errorId) });
    }

    /// <summary>Declares, for the OpenAPI document, the problem statuses an endpoint answers besides 500.</summary>
    public static TBuilder Problems<TBuilder>(this TBuilder endpoint, params int[] statuses) where TBuilder : IEndpointConventionBuilder
    {
        foreach (var status in statuses) endpoint.ProducesProblem(status);
        return endpoint;
    }
}
