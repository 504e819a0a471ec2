using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using UniAD.Lab.Accounts;
using UniAD.Lab.Web.Accounts;
using UniAD.Lab.Web.Api.Contracts;
using UniAD.Lab.Workers;

namespace UniAD.Lab.Web.Api;

/// <summary><c>/api/workers</c>: the processes that train runs, as the Workers page shows them, and an admin's drain.</summary>
public static class WorkersApi
{
    public static void MapWorkersApi(this IEndpointRouteBuilder api)
    {
        var workers = api.MapGroup("/workers").WithTags("Workers");
        workers.MapGet("", ListAsync)
            .WithSummary("The workers seen in the last week: devices, queues, code version, last heartbeat, state and the run each is training");
        workers.MapPost("/{name}/drain", (string name, WorkerRegistry registry, ClaimsPrincipal user, CancellationToken cancel) => DrainAsync(name, true, registry, user, cancel))
            .RequireAuthorization(LabPolicies.Admin)
            .WithSummary("Stop a worker taking new runs; the run it trains finishes (name is host:pid, as listed)").Problems(403, 404, 409);
        workers.MapPost("/{name}/undrain", (string name, WorkerRegistry registry, ClaimsPrincipal user, CancellationToken cancel) => DrainAsync(name, false, registry, user, cancel))
            .RequireAuthorization(LabPolicies.Admin)
            .WithSummary("Let a drained worker take runs again").Problems(403, 404, 409);
    }

    private static async Task<Ok<IReadOnlyList<WorkerResponse>>> ListAsync(WorkerRegistry registry, CancellationToken cancel) =>
        TypedResults.Ok<IReadOnlyList<WorkerResponse>>([.. (await registry.ListAsync(cancel)).Select(WorkerResponse.Of)]);

    private static async Task<NoContent> DrainAsync(string name, bool drain, WorkerRegistry registry, ClaimsPrincipal user, CancellationToken cancel)
    {
        await registry.SetDrainingAsync(name, drain, user.Actor(), cancel);
        return TypedResults.NoContent();
    }
}
