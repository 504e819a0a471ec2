namespace UniAD.Lab.Web.Extensions;

/// <summary>What a request that fails answers: a request the framework could not read is a 400 that says what is wrong
/// with it; any other failure is a 500 with one line and an error id, the same id as the log entry that holds the
/// exception. No stack trace ever reaches a response (pages get the same from <c>PageErrorBoundary</c>).</summary>
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
                // The framework answers a body over the size limit with a bare 413 of its own.
                if (http.Response is { StatusCode: StatusCodes.Status413PayloadTooLarge, HasStarted: false })
                    await http.Response.WriteAsJsonAsync(new { Problems = new[] { TooLarge(http) } });
            }
            catch (BadHttpRequestException e) when (!http.Response.HasStarted)
            {
                http.Response.StatusCode = e.StatusCode;
                await http.Response.WriteAsJsonAsync(new { Problems = new[] { Describe(e) } });
            }
            catch (Exception e) when (!http.Response.HasStarted && !http.RequestAborted.IsCancellationRequested)
            {
                var errorId = ErrorIds.New();
                logger.LogError(e, "{Method} {Path} failed, error {ErrorId}", http.Request.Method, http.Request.Path, errorId);
                http.Response.Clear();
                http.Response.StatusCode = StatusCodes.Status500InternalServerError;
                var line = $"the lab failed on this request (error {errorId}); its log has the details";
                if (http.Request.Path.StartsWithSegments("/api")) await http.Response.WriteAsJsonAsync(new { Problems = new[] { line } });
                else await http.Response.WriteAsync(line);
            }
        });
    }

    private static string TooLarge(HttpContext http) =>
        $"the request body ({http.Request.ContentLength:N0} bytes) is larger than this endpoint takes " +
        $"({http.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpMaxRequestBodySizeFeature>()?.MaxRequestBodySize:N0} bytes)";

    /// <summary>What was wrong with a request the framework could not bind: the JSON error (with the path of the value at
    /// fault) when there is one.</summary>
    private static string Describe(BadHttpRequestException e) => e.InnerException switch
    {
        System.Text.Json.JsonException { Path: { } path } json when json.Message.StartsWith("The JSON value could not be converted", StringComparison.Ordinal) =>
            $"the request body is not the JSON this endpoint takes: {path} is not of the type it takes",
        System.Text.Json.JsonException json => $"the request body is not the JSON this endpoint takes: {json.Message}",
        _ => e.Message,
    };
}
