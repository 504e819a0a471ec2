using MudBlazor;
using MudBlazor.Services;
using UniAD.Lab.Web.Api;
using UniAD.Lab.Web.Components;

namespace UniAD.Lab.Web.Extensions;

/// <summary>Blazor Server with MudBlazor, served on one pipeline with accounts, the HTTP API and the Hangfire dashboard.</summary>
public static class LabUiExtensions
{
    public static void AddLabUi(this WebApplicationBuilder builder)
    {
        // Package assets (MudBlazor, Plotly) are served from the build output in every environment, not only Development.
        builder.WebHost.UseStaticWebAssets();
        builder.Services.AddRazorComponents().AddInteractiveServerComponents();
        // Messages appear bottom right: at the top right they covered the page's own actions (Cancel, Resume) for seconds.
        builder.Services.AddMudServices(mud => mud.SnackbarConfiguration.PositionClass = Defaults.Classes.Position.BottomRight);
    }

    public static void UseLab(this WebApplication app)
    {
        app.UseLabErrors();
        app.UseLabAuth();
        app.MapStaticAssets().AllowAnonymous();
        app.MapLabApi();
        app.MapRazorComponents<App>().AddInteractiveServerRenderMode();
    }
}
