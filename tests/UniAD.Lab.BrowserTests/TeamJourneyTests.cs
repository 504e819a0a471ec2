using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace UniAD.Lab.BrowserTests;

/// <summary>A team's first hour in Debian's chromium: the admin makes itself with the code from the lab's log, makes a
/// researcher and a viewer on the Users page, and each signs in and meets what its role allows; what it may not do is
/// refused with the reason.</summary>
public sealed class TeamJourneyTests : IAsyncLifetime, IDisposable
{
    private const string Password = "a passphrase long enough";

    private readonly RunningLab _lab = new(environment: new Dictionary<string, string> { ["Lab__Auth__Mode"] = "Accounts" });
    private LabBrowser _browser = null!;

    public async Task InitializeAsync() => _browser = await LabBrowser.StartAsync();
    public async Task DisposeAsync() => await _browser.DisposeAsync();
    public void Dispose() => _lab.Dispose();

    private async Task<IPage> SignInAsync(string user)
    {
        var page = await _browser.NewPageAsync();
        await page.GotoAsync(_lab.Url);
        await page.WaitForURLAsync(new Regex("/account/login"));                   // anyone is sent to sign in first
        await LabBrowser.SignInAsync(page, _lab.Url, user, Password);
        return page;
    }

    private static async Task MakeAccountAsync(IPage admin, string user, string role)
    {
        await admin.GetByTestId("new-user-name").FillAsync(user);
        await admin.GetByTestId("new-user-role").ClickAsync();
        await admin.Locator(".mud-popover-open .mud-list-item").GetByText(role, new() { Exact = true }).ClickAsync();
        await admin.GetByTestId("new-user-password").FillAsync(Password);
        await admin.GetByTestId("create-user").ClickAsync();
        await Expect(admin.GetByTestId("user-row").GetByText(user, new() { Exact = true })).ToBeVisibleAsync();
    }

    [Fact]
    public async Task TheAdminMakesAResearcherAndAViewerAndEachMeetsItsRole()
    {
        try
        {
            var (link, _) = await _lab.SetupLinkAsync();

            var admin = await _browser.NewPageAsync();
            await admin.GotoAsync(_lab.Url);
            await Expect(admin.GetByTestId("no-account")).ToBeVisibleAsync();              // anyone is sent to sign in
            await admin.GotoAsync(link);
            await Expect(admin.GetByTestId("setup-code")).Not.ToHaveValueAsync("");        // the code came with the link
            await admin.GetByTestId("user-name").FillAsync("ada");
            await admin.GetByTestId("password").FillAsync(Password);
            await admin.GetByTestId("password-again").FillAsync(Password);
            await admin.GetByTestId("create-admin").ClickAsync();
            await Expect(admin.GetByTestId("signed-in")).ToContainTextAsync("ada · admin");

            await admin.GotoAsync($"{_lab.Url}/admin/users");
            await MakeAccountAsync(admin, "rita", "Researcher");
            await MakeAccountAsync(admin, "vic", "Viewer");
            await LabBrowser.ScreenshotAsync(admin, "team-users");

            var researcher = await SignInAsync("rita");
            await Expect(researcher.GetByTestId("signed-in")).ToContainTextAsync("rita · researcher");
            await researcher.GotoAsync($"{_lab.Url}/runs/new");
            await Expect(researcher.GetByTestId("run-name")).ToBeVisibleAsync();
            await researcher.GotoAsync($"{_lab.Url}/admin/users");
            await Expect(researcher.GetByTestId("denied")).ToContainTextAsync("rita is a researcher");

            var viewer = await SignInAsync("vic");
            await Expect(viewer.GetByText("New run")).ToHaveCountAsync(0);
            await viewer.GotoAsync($"{_lab.Url}/datasets");
            await Expect(viewer.GetByTestId("import-refused")).ToContainTextAsync("needs the Researcher or Admin role");
            await viewer.GotoAsync($"{_lab.Url}/runs/new");
            await Expect(viewer.GetByTestId("denied")).ToContainTextAsync("vic is a viewer");
            await LabBrowser.ScreenshotAsync(viewer, "team-viewer-refused");
        }
        catch (Exception e) { throw _lab.Explain(e); }
    }
}
