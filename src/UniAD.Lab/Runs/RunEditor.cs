using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using UniAD.Core;
using UniAD.Lab.Accounts;
using UniAD.Lab.Persistence;

namespace UniAD.Lab.Runs;

/// <summary>What a user changes about finished runs: name, tags and notes, archiving, and deleting (which frees the disk).
/// Tags and notes are anyone's to add (a researcher annotates any run); the rest changes only one's own runs (an admin's,
/// any run).</summary>
public sealed class RunEditor(IDbContextFactory<LabDbContext> databases, IOptions<LabOptions> options, LabAudit audit)
{
    /// <param name="tags">Comma-separated, as the run page's field holds them.</param>
    /// <exception cref="UserException">A blank name, or text over its limit (each named). A name the lab made longer than
    /// the limit (a study's adds its variant and seed) may be kept as it is.</exception>
    /// <exception cref="ForbiddenException">A viewer, or a researcher renaming another's run.</exception>
    public async Task AnnotateAsync(int runId, string name, string tags, string notes, LabActor actor, CancellationToken cancel = default)
    {
        actor.DemandResearcher("tag and annotate runs");
        var limits = options.Value.Limits;
        var (newName, newTags, newNotes) = (name.Trim(), Tags(tags), notes.Trim());
        await using var db = await databases.CreateDbContextAsync(cancel);
        var run = await db.Runs.SingleOrDefaultAsync(r => r.Id == runId, cancel) ?? throw new NotFoundException($"run {runId} does not exist");
        List<string?> found =
        [
            newName.Length == 0 ? "a run needs a name" : null,
            newName == run.Name ? null : LabLimits.TooLong("the name", newName, limits.NameLength, nameof(LabLimits.NameLength)),
            LabLimits.TooLong("the tags", string.Join(", ", newTags), limits.TagsLength, nameof(LabLimits.TagsLength)),
            LabLimits.TooLong("the notes", newNotes, limits.NotesLength, nameof(LabLimits.NotesLength)),
        ];
        if (found.OfType<string>().ToList() is { Count: > 0 } problems) throw new UserException(problems);
        if (newName != run.Name) RunOwnership.Demand(actor, [run], "rename");
        var changed = new[] { newName != run.Name ? $"name '{run.Name}' → '{newName}'" : null, !newTags.SequenceEqual(run.Tags) ? $"tags {string.Join(", ", newTags)}" : null,
            newNotes != run.Notes ? "notes" : null }.OfType<string>().ToList();
        if (changed.Count == 0) return;
        (run.Name, run.Tags, run.Notes) = (newName, newTags, newNotes);
        (run.ChangedBy, run.ChangedAt) = (actor.Name, DateTime.UtcNow);
        audit.Add(db, actor, "run.annotated", $"run {runId}", string.Join("; ", changed));
        await db.SaveChangesAsync(cancel);
    }

    public async Task ArchiveAsync(IReadOnlyCollection<int> runIds, bool archived, LabActor actor, CancellationToken cancel = default)
    {
        await using var db = await databases.CreateDbContextAsync(cancel);
        var runs = await db.Runs.Where(r => runIds.Contains(r.Id)).ToListAsync(cancel);
        RunOwnership.Demand(actor, runs, archived ? "archive" : "restore");
        var now = DateTime.UtcNow;
        foreach (var run in runs) (run.Archived, run.ChangedBy, run.ChangedAt) = (archived, actor.Name, now);
        if (runs.Count > 0) audit.Add(db, actor, archived ? "run.archived" : "run.restored", LabAudit.Runs([.. runs.Select(r => r.Id)]));
        await db.SaveChangesAsync(cancel);
    }

    /// <summary>Deletes runs with their folders (checkpoint, maps, results). Queued or running runs are refused:
    /// cancel them first.</summary>
    /// <exception cref="ForbiddenException">Some are another's, and the actor is not an admin: none is deleted.</exception>
    public async Task<long> DeleteAsync(IReadOnlyCollection<int> runIds, LabActor actor, CancellationToken cancel = default)
    {
        await using var db = await databases.CreateDbContextAsync(cancel);
        var runs = await db.Runs.Where(r => runIds.Contains(r.Id)).ToListAsync(cancel);
        RunOwnership.Demand(actor, runs, "delete");
        var active = runs.Where(r => r.Status is RunStatus.Queued or RunStatus.Running).Select(r => $"#{r.Id}").ToList();
        if (active.Count > 0) throw new ConflictException($"cancel {string.Join(", ", active)} before deleting: they are queued or running");
        long freed = 0;
        foreach (var folder in runs.Select(r => r.Folder).Where(Directory.Exists))
        {
            freed += Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories).Sum(f => new FileInfo(f).Length);
            Directory.Delete(folder, recursive: true);
        }
        db.Runs.RemoveRange(runs);
        if (runs.Count > 0) audit.Add(db, actor, "run.deleted", LabAudit.Runs([.. runs.Select(r => r.Id)]), string.Join(", ", runs.Select(r => r.Name).Take(20)));
        await db.SaveChangesAsync(cancel);
        return freed;
    }

    /// <summary>Comma-separated tags as a trimmed list, each once.</summary>
    private static List<string> Tags(string text) =>
        [.. text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Distinct()];
}
