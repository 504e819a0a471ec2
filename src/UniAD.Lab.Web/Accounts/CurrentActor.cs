using Microsoft.AspNetCore.Components.Authorization;
using UniAD.Lab.Accounts;

namespace UniAD.Lab.Web.Accounts;

/// <summary>Who a page acts for: the circuit's signed-in user (laptop mode's one user, or an account) as a
/// <see cref="LabActor"/>, which the application layer records and checks.</summary>
public sealed class CurrentActor(AuthenticationStateProvider authentication)
{
    public async Task<LabActor> GetAsync() => (await authentication.GetAuthenticationStateAsync()).User.Actor();
}
