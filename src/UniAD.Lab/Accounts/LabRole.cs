namespace UniAD.Lab.Accounts;

/// <summary>What an account may do, each role including the one before it: a <see cref="Viewer"/> reads everything and
/// changes nothing; a <see cref="Researcher"/> also uploads datasets, queues runs and studies, imports official
/// checkpoints, cancels, resumes, renames, archives and deletes its own runs and tags and notes any; an
/// <see cref="Admin"/> also manages accounts, opens the job dashboard and changes or deletes anything.</summary>
public enum LabRole { Viewer, Researcher, Admin }

/// <summary>The roles' names as Identity stores them, and the authorization policies the web lab names after them.</summary>
public static class LabRoles
{
    public const string Viewer = nameof(LabRole.Viewer), Researcher = nameof(LabRole.Researcher), Admin = nameof(LabRole.Admin);

    /// <summary>The role names that hold at least <paramref name="role"/>.</summary>
    public static string[] AtLeast(LabRole role) => [.. Enum.GetValues<LabRole>().Where(r => r >= role).Select(r => r.ToString())];

    /// <summary>A role by its name, as a form or an API request gives it.</summary>
    /// <exception cref="Core.UserException">Not one of the three.</exception>
    public static LabRole Parse(string name) => Enum.TryParse<LabRole>(name, ignoreCase: true, out var role) && Enum.IsDefined(role)
        ? role
        : throw new Core.UserException($"'{name}' is not a role: a role is {string.Join(", ", Enum.GetNames<LabRole>())}");
}
