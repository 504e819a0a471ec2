using Hangfire;
using MudBlazor.Services;
using UniAD.Lab.Web.Components;

namespace UniAD.Lab.Web.Extensions;

/// <summary>Blazor Server with MudBlazor, served on the pipeline with the Hangfire dashboard.</summary>
public static class LabUiExtensions
{
    public static void AddLabUi(this WebApplicationBuilder builder)
    {
        // Package assets (MudBlazor, Plotly) are served from the build output in every environment, not only Development.
        builder.WebHost.UseStaticWebAssets();
        builder.Services.AddRazorComponents().AddInteractiveServerComponents();
        builder.Services.AddMudServices();
        builder.AddLabApi();
    }

    public static void UseLab(this WebApplication app)
    {
        app.UseLabErrors();
        app.UseAntiforgery();
        app.MapStaticAssets();
        app.UseHangfireDashboard("/hangfire", new DashboardOptions { DashboardTitle = "UniAD Lab jobs" });
        app.MapLabFiles();
        app.MapLabApi();
        app.MapStudyApi();
        app.MapOfficialInterop();
        app.MapRazorComponents<App>().AddInteractiveServerRenderMode();
    }
}
