using Microsoft.EntityFrameworkCore;
using UniAD.Lab.Persistence;

namespace UniAD.Lab.Accounts;

/// <summary>The audit list: an entry is added to the database context of the change it records, so both are saved in
/// one transaction or neither is.</summary>
public sealed class LabAudit(IDbContextFactory<LabDbContext> databases)
{
    public void Add(LabDbContext db, LabActor actor, string action, string subject, string detail = "") => Add(db, actor.Name, action, subject, detail);

    public void Add(LabDbContext db, string actor, string action, string subject, string detail = "") =>
        db.AuditEntries.Add(new AuditEntry { At = DateTime.UtcNow, Actor = actor, Action = action, Subject = subject, Detail = detail });

    /// <summary>An entry saved on its own, for a change saved elsewhere (Identity's stores save their own).</summary>
    public async Task RecordAsync(string actor, string action, string subject, string detail = "")
    {
        await using var db = await databases.CreateDbContextAsync();
        Add(db, actor, action, subject, detail);
        await db.SaveChangesAsync();
    }

    /// <summary>Newest first.</summary>
    public async Task<(IReadOnlyList<AuditEntry> Entries, int Total)> PageAsync(int page, int pageSize, CancellationToken cancel = default)
    {
        await using var db = await databases.CreateDbContextAsync(cancel);
        var entries = await db.AuditEntries.AsNoTracking().OrderByDescending(e => e.Id).Skip(page * pageSize).Take(pageSize).ToListAsync(cancel);
        return (entries, await db.AuditEntries.CountAsync(cancel));
    }

    /// <summary>"run 3" or "runs 3, 4, 5" (the first 20, then how many more).</summary>
    public static string Runs(IReadOnlyCollection<int> ids) => ids.Count == 1 ? $"run {ids.First()}"
        : $"runs {string.Join(", ", ids.Take(20))}{(ids.Count > 20 ? $" and {ids.Count - 20} more" : "")}";
}
