using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using UniAD.Lab.Accounts;

namespace UniAD.Lab.Web.Tests;

/// <summary>The whole web app as a team lab (accounts) on a loopback port: its first admin made from the settings, as
/// an unattended install does, and a researcher and a viewer made by that admin through the application layer.</summary>
public sealed class TeamApp : IAsyncDisposable
{
    public const string Password = "a long enough password";
    public static readonly LabActor Root = new("root", LabRole.Admin), Rita = new("rita", LabRole.Researcher), Vic = new("vic", LabRole.Viewer);

    private TeamApp(WebApplication app) => App = app;

    public WebApplication App { get; }
    public string Url => App.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
    public string DataRoot => App.Services.GetRequiredService<IOptions<LabOptions>>().Value.DataRoot;

    public static async Task<TeamApp> StartAsync(string name)
    {
        var app = await WholeApp.StartAsync(name, new Dictionary<string, string>
        {
            ["Lab:Auth:Mode"] = "Accounts", ["Lab:Auth:FirstAdmin:UserName"] = Root.Name, ["Lab:Auth:FirstAdmin:Password"] = Password,
        });
        await using var scope = app.Services.CreateAsyncScope();
        var accounts = scope.ServiceProvider.GetRequiredService<LabAccounts>();
        foreach (var user in new[] { Rita, Vic }) await accounts.CreateAsync(user.Name, Password, user.Role, Root);
        return new TeamApp(app);
    }

    public async ValueTask DisposeAsync()
    {
        await App.DisposeAsync();
        Hangfire.Logging.LogProvider.SetCurrentLogProvider(null);
    }
}
