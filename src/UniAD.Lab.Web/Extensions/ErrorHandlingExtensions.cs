using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.WebUtilities;
using UniAD.Core;
using UniAD.Lab.Web.Accounts;
using UniAD.Lab.Web.Api;

namespace UniAD.Lab.Web.Extensions;

/// <summary>What a request that fails answers, in one place. A user's mistake (<see cref="UserException"/> and its kinds, a
/// body the framework could not read) gets its own status and every problem, one line each; a full disk is a 507 and any
/// other failure a 500, each with one line and an error id, the same id as the log entry that holds the exception (and
/// the file's path, which the answer leaves out). API answers are problem details (<see cref="ApiProblem"/>), as is an
/// empty error answer of an API route (no such route, a body over its limit); other requests get the line as text. No
/// stack trace ever reaches a response (pages' own failures: <c>PageErrorBoundary</c>).</summary>
public static class ErrorHandlingExtensions
{
    public static void UseLabErrors(this WebApplication app)
    {
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("UniAD.Lab.Web.Errors");
        app.Use(async (http, next) =>
        {
            try
            {
                await next(http);
                if (http.Response is { HasStarted: false, StatusCode: >= 400, ContentLength: null, ContentType: null } && IsApi(http))
                    await ApiProblem.WriteAsync(http, http.Response.StatusCode, [Unanswered(http)]);
            }
            catch (Exception e) when (!http.Response.HasStarted && !http.RequestAborted.IsCancellationRequested)
            {
                http.Response.Clear();
                if (StatusOf(e) is int status) await AnswerAsync(http, status, e is UserException user ? user.Problems : [Describe(e, http)], null);
                else
                {
                    var (errorId, diskFull) = (ErrorIds.New(), UserErrors.IsDiskFull(e));
                    logger.LogError(e, "{Method} {Path} failed, error {ErrorId}", http.Request.Method, http.Request.Path, errorId);
                    await AnswerAsync(http, diskFull ? StatusCodes.Status507InsufficientStorage : StatusCodes.Status500InternalServerError,
                        [diskFull ? $"the disk is full: the lab could not write what this request needs (error {errorId}; its log names the file)"
                                  : $"the lab failed on this request (error {errorId}); its log has the details"], errorId);
                }
            }
        });
    }

    private static bool IsApi(HttpContext http) => http.Request.Path.StartsWithSegments("/api");

    private static Task AnswerAsync(HttpContext http, int status, IReadOnlyList<string> problems, string? errorId)
    {
        if (IsApi(http)) return ApiProblem.WriteAsync(http, status, problems, errorId);
        http.Response.StatusCode = status;
        return http.Response.WriteAsync(problems[0]);
    }

    /// <summary>The status a user's mistake is answered with; null for a fault of the lab or a full disk.</summary>
    private static int? StatusOf(Exception e) => e switch
    {
        NotFoundException => StatusCodes.Status404NotFound,
        ForbiddenException => StatusCodes.Status403Forbidden,
        ConflictException => StatusCodes.Status409Conflict,
        TooLargeException => StatusCodes.Status413PayloadTooLarge,
        UserException => StatusCodes.Status400BadRequest,
        BadHttpRequestException bad => bad.StatusCode,
        _ => null,
    };

    /// <summary>Why the framework answered an API request with an empty error.</summary>
    private static string Unanswered(HttpContext http) => http.Response.StatusCode switch
    {
        StatusCodes.Status413PayloadTooLarge => TooLarge(http),
        StatusCodes.Status404NotFound => $"no such API endpoint: {http.Request.Method} {http.Request.Path} (the OpenAPI document at {ApiExtensions.DocumentPath} lists them)",
        StatusCodes.Status401Unauthorized => http.Items[TokenAuthentication.RefusalItem] is string refusal ? $"the token is refused: {refusal}"
            : "sign in first, or send a personal access token (Authorization: Bearer …): this lab has accounts (README, \"Team lab\")",
        StatusCodes.Status403Forbidden => Refused(http),
        StatusCodes.Status405MethodNotAllowed => $"{http.Request.Path} does not take {http.Request.Method}",
        var status => ReasonPhrases.GetReasonPhrase(status),
    };

    /// <summary>Why a signed-in request was refused: the role it has, and the one the endpoint needs.</summary>
    private static string Refused(HttpContext http)
    {
        var actor = http.User.Actor();
        var needs = http.GetEndpoint()?.Metadata.GetOrderedMetadata<IAuthorizeData>().Select(a => a.Policy).LastOrDefault(p => p is not null) ?? LabPolicies.Viewer;
        return $"{actor.Name} is a {actor.Role.ToString().ToLowerInvariant()}: {http.Request.Method} {http.Request.Path} needs the {needs} role or one above it";
    }

    private static string TooLarge(HttpContext http) =>
        $"the request body ({http.Request.ContentLength:N0} bytes) is larger than this endpoint takes " +
        $"({http.Features.Get<IHttpMaxRequestBodySizeFeature>()?.MaxRequestBodySize:N0} bytes)";

    /// <summary>What was wrong with a request the framework could not bind (the JSON error, with the path of the value at
    /// fault, when there is one).</summary>
    private static string Describe(Exception e, HttpContext http) => e switch
    {
        BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge } => TooLarge(http),
        BadHttpRequestException { InnerException: System.Text.Json.JsonException { Path: { } path } json }
            when json.Message.StartsWith("The JSON value could not be converted", StringComparison.Ordinal) =>
            $"the request body is not the JSON this endpoint takes: {path} is not of the type it takes",
        BadHttpRequestException { InnerException: System.Text.Json.JsonException json } => $"the request body is not the JSON this endpoint takes: {json.Message}",
        _ => UserErrors.OneLine(e),
    };
}
