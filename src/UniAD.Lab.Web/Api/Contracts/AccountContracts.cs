using UniAD.Lab.Accounts;

namespace UniAD.Lab.Web.Api.Contracts;

/// <param name="Role">Viewer, Researcher or Admin.</param>
/// <param name="LockedOutUntil">After too many failed sign-ins (UTC); null otherwise.</param>
public sealed record AccountResponse(string UserName, string Role, bool Disabled, DateTimeOffset? LockedOutUntil, DateTimeOffset CreatedAt, string CreatedBy)
{
    public static AccountResponse Of(AccountRow a) => new(a.UserName, a.Role.ToString(), a.Disabled, a.LockedOutUntil, a.CreatedAt, a.CreatedBy);
}

public sealed record CreateAccountRequest(string UserName, string Role, string Password);

public sealed record RoleRequest(string Role);

public sealed record PasswordRequest(string Password);

/// <param name="Days">How long it works, 1 to 365.</param>
public sealed record CreateTokenRequest(string Name, int Days = 90);

/// <param name="Prefix">The secret's first characters, to tell tokens apart.</param>
public sealed record TokenResponse(int Id, string Name, string Prefix, DateTimeOffset CreatedAt, DateTimeOffset ExpiresAt, DateTimeOffset? RevokedAt,
    DateTimeOffset? LastUsedAt)
{
    public static TokenResponse Of(AccessTokenRow t) => new(t.Id, t.Name, t.Prefix, t.CreatedAt, t.ExpiresAt, t.RevokedAt, t.LastUsedAt);
}

/// <param name="Secret">Send it as <c>Authorization: Bearer …</c>; the lab keeps only its hash and never shows it again.</param>
public sealed record CreatedTokenResponse(TokenResponse Token, string Secret);
