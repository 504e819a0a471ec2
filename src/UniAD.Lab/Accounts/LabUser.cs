using Microsoft.AspNetCore.Identity;

namespace UniAD.Lab.Accounts;

/// <summary>An account of a team lab: ASP.NET Core Identity's user, stored with the lab's tables. Its user name is what
/// the lab records as the creator of what it makes.</summary>
public sealed class LabUser : IdentityUser
{
    public DateTime CreatedAt { get; set; }
    /// <summary>The admin who made the account; empty for the first admin.</summary>
    public string CreatedBy { get; set; } = "";
}
