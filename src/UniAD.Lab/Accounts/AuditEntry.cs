namespace UniAD.Lab.Accounts;

/// <summary>One thing someone did that an admin may need to trace: who, when, what, to what.</summary>
public sealed class AuditEntry
{
    public long Id { get; set; }
    public DateTime At { get; set; }
    public required string Actor { get; set; }
    /// <summary>What was done, as <c>thing.verb</c>: run.queued, run.cancelled, account.role-changed, …</summary>
    public required string Action { get; set; }
    /// <summary>What it was done to: "run 12", "runs 3, 4", "account bob", "dataset mvtec@1a2b3c4d5e6f".</summary>
    public required string Subject { get; set; }
    public string Detail { get; set; } = "";
}
