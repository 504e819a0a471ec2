using Microsoft.Playwright;

namespace UniAD.Lab.Tests.EndToEnd;

/// <summary>Debian's chromium driven by Playwright (no browser download), with the lab tests' page defaults and their
/// screenshots folder (<c>artifacts/screenshots/</c>).</summary>
public sealed class LabBrowser : IAsyncDisposable
{
    private const string Chromium = "/usr/bin/chromium";
    private static readonly string Screenshots = RunningLab.RepositoryFolder(Path.Combine("artifacts", "screenshots"));

    private readonly IPlaywright _playwright;
    private readonly IBrowser _browser;

    private LabBrowser(IPlaywright playwright, IBrowser browser) => (_playwright, _browser) = (playwright, browser);

    public static async Task<LabBrowser> StartAsync()
    {
        var playwright = await Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(new() { ExecutablePath = Chromium, Headless = true, Args = ["--no-sandbox"] });
        // Waits end as soon as their condition holds; the limits only have to outlast a busy two-core machine. Playwright's
        // assertions (Expect) have their own default of 5 s, raised here too.
        Assertions.SetDefaultExpectTimeout(60_000);
        Directory.CreateDirectory(Screenshots);
        return new LabBrowser(playwright, browser);
    }

    /// <summary>A page in a context of its own: a fresh browser profile, as a teammate opening a link would have.</summary>
    public async Task<IPage> NewPageAsync()
    {
        var context = await _browser.NewContextAsync(new() { ViewportSize = new() { Width = 1400, Height = 1000 } });
        var page = await context.NewPageAsync();
        page.SetDefaultTimeout(60_000);
        return page;
    }

    /// <summary>Signs in on the login page, as a person does, and waits for the lab to say who is signed in.</summary>
    public static async Task SignInAsync(IPage page, string url, string user, string password)
    {
        await page.GotoAsync($"{url}/account/login");
        await page.GetByTestId("user-name").FillAsync(user);
        await page.GetByTestId("password").FillAsync(password);
        await page.GetByTestId("sign-in").ClickAsync();
        await Assertions.Expect(page.GetByTestId("signed-in")).ToContainTextAsync(user);
    }

    /// <summary>The whole page from its top: a full-page capture of a scrolled page repeats the fixed app bar halfway down.</summary>
    public static async Task ScreenshotAsync(IPage page, string name)
    {
        await page.EvaluateAsync("window.scrollTo(0, 0)");
        await page.ScreenshotAsync(new() { Path = Path.Combine(Screenshots, $"{name}.png"), FullPage = true });
    }

    public async ValueTask DisposeAsync()
    {
        await _browser.DisposeAsync();
        _playwright.Dispose();
    }
}
