using System.Text.RegularExpressions;
using static Microsoft.Playwright.Assertions;

namespace UniAD.Lab.BrowserTests;

/// <summary>The baseline from the browser, in Debian's chromium against the real lab: New run with Method PatchCore (its
/// preset, no epochs to set), queued, followed to "Finished", and its page read: the per-category table, the heatmap
/// gallery, and the image-score switch offering PatchCore's two scores.</summary>
public sealed class PatchCoreJourneyTests : LabPageTest
{
    [Fact]
    public async Task APatchCoreRunIsQueuedFromNewRunAndReadLikeAnyRun()
    {
        try
        {
            await TinyLabData.ImportAsync(Lab);
            await Page.GotoAsync($"{Lab.Url}/runs/new");
            await Page.GetByTestId("run-name").FillAsync("baseline");
            await Page.GetByTestId("run-method").ClickAsync();
            await Page.Locator(".mud-popover-open .mud-list-item").GetByText("PatchCore (Roth et al. 2022), the baseline").ClickAsync();
            await Expect(Page.GetByTestId("run-epochs")).ToHaveCountAsync(0);                       // nothing trains
            await Page.GetByTestId("run-overrides").FillAsync("backbone.input_size=[64,64]");
            await Expect(Page.GetByTestId("run-config")).ToContainTextAsync("\"method\": \"patchcore\"");
            await Expect(Page.GetByTestId("run-config")).ToContainTextAsync("\"coreset_fraction\": 0.1");
            await Expect(Page.GetByTestId("run-problem")).ToHaveCountAsync(0);
            await LabBrowser.ScreenshotAsync(Page, "new-run-patchcore");
            await Page.GetByTestId("queue-run").ClickAsync();

            await Page.WaitForURLAsync(new Regex(@"/runs/\d+$"));
            await Expect(Page.GetByTestId("run-status")).ToHaveTextAsync("Finished", new() { Timeout = 600_000 });
            await Expect(Page.GetByTestId("results-table")).ToContainTextAsync("(mean)");
            await Expect(Page.GetByTestId("loss-chart")).ToHaveCountAsync(0);                       // no epochs, no loss
            await Page.GetByTestId("reference-numbers").ClickAsync();                              // UniAD's published numbers, method named
            await Expect(Page.GetByTestId("reference-row").First).ToContainTextAsync("method: patchcore");
            await Expect(Page.GetByTestId("heatmap-tile")).ToHaveCountAsync(6 + 5);
            var switcher = Page.GetByTestId("image-score-switcher");
            await Expect(switcher).ToContainTextAsync("largest patch score (PatchCore, official code)");   // the run's own rule
            await switcher.GetByTestId("image-score-choice").ClickAsync();
            await Page.Locator(".mud-popover-open .mud-list-item").GetByText("reweighted largest patch score", new() { Exact = true }).ClickAsync();
            await Expect(switcher.Locator("tbody tr")).ToHaveCountAsync(3);                         // fabric, nut, (mean)
            await LabBrowser.ScreenshotAsync(Page, "run-patchcore");
        }
        catch (Exception e) { throw Lab.Explain(e); }
    }
}
