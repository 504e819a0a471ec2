using System.Security.Claims;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Server;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using UniAD.Lab.Accounts;

namespace UniAD.Lab.Web.Accounts;

/// <summary>The signed-in user of a Blazor circuit, checked again every minute against the database: a circuit whose
/// account was disabled, deleted, or had its role or password changed (each changes the security stamp) loses its
/// user, so a page open for hours does not keep rights its user has lost. Laptop mode's user is always valid.</summary>
public sealed class RevalidatingLabAuthenticationState(ILoggerFactory loggers, IServiceScopeFactory scopes, IOptions<IdentityOptions> identity)
    : RevalidatingServerAuthenticationStateProvider(loggers)
{
    protected override TimeSpan RevalidationInterval => TimeSpan.FromMinutes(1);

    protected override async Task<bool> ValidateAuthenticationStateAsync(AuthenticationState state, CancellationToken cancel)
    {
        if (state.User.Identity?.AuthenticationType == LaptopAuthentication.Name) return true;
        await using var scope = scopes.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<LabUser>>();
        var user = await users.GetUserAsync(state.User);
        if (user is null || await users.IsLockedOutAsync(user)) return false;
        if (!users.SupportsUserSecurityStamp) return true;
        return state.User.FindFirstValue(identity.Value.ClaimsIdentity.SecurityStampClaimType) == await users.GetSecurityStampAsync(user);
    }
}
