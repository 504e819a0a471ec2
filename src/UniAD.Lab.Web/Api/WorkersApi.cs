using Microsoft.AspNetCore.Http.HttpResults;
using UniAD.Lab.Web.Api.Contracts;
using UniAD.Lab.Workers;

namespace UniAD.Lab.Web.Api;

/// <summary><c>/api/workers</c>: the processes that train runs, as the Workers page shows them.</summary>
public static class WorkersApi
{
    public static void MapWorkersApi(this IEndpointRouteBuilder api)
    {
        api.MapGet("/workers", ListAsync).WithTags("Workers")
            .WithSummary("The workers seen in the last week: devices, queues, code version, last heartbeat, state and the run each is training");
    }

    private static async Task<Ok<IReadOnlyList<WorkerResponse>>> ListAsync(WorkerRegistry registry, CancellationToken cancel) =>
        TypedResults.Ok<IReadOnlyList<WorkerResponse>>([.. (await registry.ListAsync(cancel)).Select(WorkerResponse.Of)]);
}
