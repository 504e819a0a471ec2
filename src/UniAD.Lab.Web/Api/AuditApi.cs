using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using UniAD.Core;
using UniAD.Lab.Accounts;
using UniAD.Lab.Web.Accounts;
using UniAD.Lab.Web.Api.Contracts;

namespace UniAD.Lab.Web.Api;

/// <summary><c>/api/audit</c>: the audit list, for admins.</summary>
public static class AuditApi
{
    public static void MapAuditApi(this IEndpointRouteBuilder api)
    {
        api.MapGet("/audit", ListAsync).WithTags("Audit").RequireAuthorization(LabPolicies.Admin)
            .WithSummary("Who created, cancelled, resumed, changed, deleted or imported what, and who changed accounts and tokens, newest first")
            .Problems(400, 403);
    }

    private static async Task<Ok<AuditPageResponse>> ListAsync(LabAudit audit, IOptions<LabOptions> options, CancellationToken cancel, int page = 0, int pageSize = 100)
    {
        int limit = options.Value.Limits.PageSize;
        if (page < 0 || pageSize is < 1 || pageSize > limit) throw new UserException($"page is 0 or more and pageSize 1 to {limit} (Lab:Limits:PageSize)");
        var (entries, total) = await audit.PageAsync(page, pageSize, cancel);
        return TypedResults.Ok(new AuditPageResponse(total, [.. entries.Select(e => new AuditEntryResponse(e.At, e.Actor, e.Action, e.Subject, e.Detail))]));
    }
}
