using Microsoft.Extensions.DependencyInjection;
using UniAD.Lab.Accounts;
using UniAD.Lab.Web.Accounts;

namespace UniAD.Lab.Web.Tests;

/// <summary>Components read their user from the authentication state, as in the lab; bUnit's own state stands in for
/// the circuit's (who signs in, and how, is tested on the real app: EndpointRulesTests).</summary>
public static class BunitSignIn
{
    /// <summary>Renders as laptop mode's one user, an admin.</summary>
    public static void SignInAsLaptopUser(this BunitContext bunit)
    {
        bunit.AddAuthorization().SetAuthorized(LabActor.Laptop.Name).SetRoles(LabRoles.Admin);
        bunit.Services.AddScoped<CurrentActor>();
    }
}
