using UniAD.Core;
using UniAD.Lab.Accounts;
using UniAD.Lab.Persistence;

namespace UniAD.Lab.Runs;

/// <summary>The rule for changing runs: a researcher changes its own, an admin any, a viewer none.</summary>
internal static class RunOwnership
{
    /// <param name="what">The change, as in "cancel".</param>
    /// <exception cref="ForbiddenException">The actor may not make it to one of the runs (the message names them).</exception>
    public static void Demand(LabActor actor, IReadOnlyCollection<RunRecord> runs, string what)
    {
        actor.DemandResearcher($"{what} runs");
        var others = actor.Role == LabRole.Admin ? [] : runs.Where(r => r.CreatedBy != actor.Name).OrderBy(r => r.Id).ToList();   // named by id, in whatever order the database gave them
        if (others.Count == 1) actor.DemandOwnerOf($"run {others[0].Id}", others[0].CreatedBy, what);
        if (others.Count > 1)
            throw new ForbiddenException($"{others.Count} of these runs ({string.Join(", ", others.Take(5).Select(r => $"#{r.Id}"))}{(others.Count > 5 ? ", …" : "")}) " +
                                         $"were queued by others: a researcher may {what} only their own runs (an admin may {what} any)");
    }
}
