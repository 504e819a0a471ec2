using System.Security.Claims;
using Microsoft.AspNetCore.Identity;
using UniAD.Lab.Accounts;

namespace UniAD.Lab.Web.Accounts;

/// <summary>The authorization policies, one per role, each met by that role and those above it. <see cref="Viewer"/> is
/// also the fallback: a page or endpoint without a rule of its own needs at least a viewer.</summary>
public static class LabPolicies
{
    public const string Viewer = LabRoles.Viewer, Researcher = LabRoles.Researcher, Admin = LabRoles.Admin;

    /// <summary>Who a signed-in request acts for (its highest role).</summary>
    public static LabActor Actor(this ClaimsPrincipal user) =>
        new(user.Identity?.Name ?? "", Enum.GetValues<LabRole>().Where(role => user.IsInRole(role.ToString())).DefaultIfEmpty().Max());

    /// <summary>Whether the user may see where things are on the server (dataset sources, run folders): admins only.</summary>
    public static bool SeesServerPaths(this ClaimsPrincipal user) => user.Actor().Role == LabRole.Admin;

    /// <summary>Whether the request was signed in by the login cookie (a browser), which is what antiforgery protects.</summary>
    public static bool ByCookie(this ClaimsPrincipal user) => user.Identity?.AuthenticationType == IdentityConstants.ApplicationScheme;
}
