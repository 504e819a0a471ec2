using UniAD.Core;

namespace UniAD.Lab.Accounts;

/// <summary>Who asks for a change: the name the lab records with what they create or change, and the role that bounds
/// what they may do. Every front end (pages, HTTP API) passes one in; the rules about others' runs are checked here,
/// once, whichever door the request came through.</summary>
public sealed record LabActor(string Name, LabRole Role)
{
    /// <summary>The one person of a laptop-mode lab (no accounts): the system account the lab runs under, with every right.</summary>
    public static LabActor Laptop { get; } = new(Environment.UserName, LabRole.Admin);

    /// <summary>Refuses a viewer what needs at least a researcher.</summary>
    /// <param name="what">What was asked, as in "queue runs".</param>
    /// <exception cref="ForbiddenException">The actor is a viewer.</exception>
    public void DemandResearcher(string what)
    {
        if (Role < LabRole.Researcher)
            throw new ForbiddenException($"{Name} is a viewer and cannot {what}: that needs the Researcher or Admin role");
    }

    /// <summary>Refuses anyone but an admin.</summary>
    /// <exception cref="ForbiddenException">The actor is not an admin.</exception>
    public void DemandAdmin(string what)
    {
        if (Role < LabRole.Admin)
            throw new ForbiddenException($"{Name} is a {Role.ToString().ToLowerInvariant()} and cannot {what}: that needs the Admin role");
    }

    /// <summary>Refuses a change to something another made, unless the actor is an admin.</summary>
    /// <param name="thing">What is changed, as in "run 12".</param>
    /// <param name="owner">Who made it.</param>
    /// <param name="what">The change, as in "cancel".</param>
    /// <exception cref="ForbiddenException">A viewer, or a researcher changing another's.</exception>
    public void DemandOwnerOf(string thing, string owner, string what)
    {
        DemandResearcher($"{what} {thing}");
        if (Role < LabRole.Admin && owner != Name)
            throw new ForbiddenException($"{thing} was made by {OwnerName(owner)}: a researcher may {what} only their own (an admin may {what} any)");
    }

    private static string OwnerName(string owner) => owner.Length > 0 ? owner : "no one named";
}
