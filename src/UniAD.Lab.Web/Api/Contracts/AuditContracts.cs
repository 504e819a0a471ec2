namespace UniAD.Lab.Web.Api.Contracts;

/// <summary>A page of the audit list, newest first.</summary>
public sealed record AuditPageResponse(int Total, IReadOnlyList<AuditEntryResponse> Entries);

/// <param name="At">UTC.</param>
public sealed record AuditEntryResponse(DateTimeOffset At, string Actor, string Action, string Subject, string Detail);
