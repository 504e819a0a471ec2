using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using UniAD.Lab.Accounts;

namespace UniAD.Lab.Web.Accounts;

/// <summary>A script's request with <c>Authorization: Bearer uniad_…</c>: a personal access token acts for its owner
/// with the owner's role as it is now (a token never does more than its owner may), while the owner's account is
/// enabled and the token is neither revoked nor expired. Why a token is refused goes into the 401's problem.</summary>
public sealed class TokenAuthentication(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder,
    AccessTokens tokens, UserManager<LabUser> users, IUserClaimsPrincipalFactory<LabUser> principals)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string Name = "Token";
    /// <summary>Where the refusal waits for the 401's problem details (ErrorHandlingExtensions).</summary>
    public const string RefusalItem = "uniad.token-refusal";

    public static bool IsTokenRequest(HttpRequest request) =>
        request.Headers.Authorization.ToString().StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase);

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (!IsTokenRequest(Request)) return AuthenticateResult.NoResult();
        var (userId, refusal) = await tokens.CheckAsync(Request.Headers.Authorization.ToString()["Bearer ".Length..].Trim(), Context.RequestAborted);
        var user = userId is null ? null : await users.FindByIdAsync(userId);
        if (user is not null && await users.IsLockedOutAsync(user))
            refusal = $"the token's account, {user.UserName}, is {(user.LockoutEnd == DateTimeOffset.MaxValue ? "disabled" : "locked out")}";
        if (user is null || refusal is not null)
        {
            Context.Items[RefusalItem] = refusal ?? "the token's account no longer exists";
            return AuthenticateResult.Fail((string)Context.Items[RefusalItem]!);
        }
        var principal = await principals.CreateAsync(user);
        return AuthenticateResult.Success(new AuthenticationTicket(new(new System.Security.Claims.ClaimsIdentity(principal.Claims, Name,
            System.Security.Claims.ClaimTypes.Name, System.Security.Claims.ClaimTypes.Role)), Name));
    }
}
