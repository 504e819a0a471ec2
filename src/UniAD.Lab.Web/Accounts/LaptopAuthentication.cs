using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using UniAD.Lab.Accounts;

namespace UniAD.Lab.Web.Accounts;

/// <summary>Laptop mode's authentication: every request is <see cref="LabActor.Laptop"/>, the system account the lab
/// runs under, as an admin. Only ever chosen while the lab listens on loopback (<see cref="LabAccess"/>).</summary>
public sealed class LaptopAuthentication(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string Name = "Laptop";

    private static readonly ClaimsPrincipal User = new(new ClaimsIdentity(
        [new Claim(ClaimTypes.Name, LabActor.Laptop.Name), new Claim(ClaimTypes.Role, LabRoles.Admin)], Name));

    protected override Task<AuthenticateResult> HandleAuthenticateAsync() =>
        Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(User, Name)));
}
