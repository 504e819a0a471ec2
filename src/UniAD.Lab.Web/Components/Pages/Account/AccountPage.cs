using Microsoft.AspNetCore.Components;

namespace UniAD.Lab.Web.Components.Pages.Account;

/// <summary>What the account pages share: they render on the server alone, and send a user on only to a page of this
/// lab (a return address from the query is never followed off the site).</summary>
public abstract class AccountPage : ComponentBase
{
    [Inject] protected NavigationManager Navigation { get; set; } = default!;
    [SupplyParameterFromQuery] protected string? ReturnUrl { get; set; }

    protected void GoOn() => Navigation.NavigateTo(LocalReturnUrl(ReturnUrl), forceLoad: true);

    /// <summary>The return address when it is a path of this lab, else the home page.</summary>
    public static string LocalReturnUrl(string? url) =>
        url is { Length: > 0 } && url[0] == '/' && !url.StartsWith("//", StringComparison.Ordinal) && !url.StartsWith("/\\", StringComparison.Ordinal) ? url : "/";
}
