using Microsoft.Playwright;

namespace UniAD.Lab.BrowserTests;

/// <summary>What a page test starts with: the real lab of its own and a fresh page in Debian's chromium; both stopped at the end.</summary>
public abstract class LabPageTest : IAsyncLifetime, IDisposable
{
    protected RunningLab Lab { get; } = new();
    protected LabBrowser Browser { get; private set; } = null!;
    protected IPage Page { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Browser = await LabBrowser.StartAsync();
        Page = await Browser.NewPageAsync();
    }

    public async Task DisposeAsync() => await Browser.DisposeAsync();

    public void Dispose()
    {
        Lab.Dispose();
        GC.SuppressFinalize(this);
    }
}
