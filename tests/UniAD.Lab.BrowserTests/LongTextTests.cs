using System.Net.Http.Json;
using static Microsoft.Playwright.Assertions;

namespace UniAD.Lab.BrowserTests;

/// <summary>Long text does not break a layout: a run whose name is as long as a name may be (200 characters) sits in the
/// runs grid cut to its column, the whole name on hover, and the columns after it stay on the screen.</summary>
public sealed class LongTextTests : LabPageTest
{
    [Fact]
    public async Task ALongRunNameIsCutInTheGridWithTheWholeNameOnHover()
    {
        try
        {
            int dataset = await TinyLabData.ImportAsync(Lab);
            var name = string.Concat(Enumerable.Repeat("a-very-long-run-name-", 10))[..200];
            using var http = new HttpClient { BaseAddress = new Uri(Lab.Url) };
            var queued = await http.PostAsJsonAsync("/api/runs", new { datasetId = dataset, name, seeds = new[] { 1 }, device = "cpu" });
            Assert.True(queued.IsSuccessStatusCode, await queued.Content.ReadAsStringAsync());

            await Page.SetViewportSizeAsync(1280, 800);
            await Page.GotoAsync($"{Lab.Url}/runs");
            var cell = Page.GetByTestId("runs-grid").Locator($"span.text-cut[title='{name}']");
            await Expect(cell).ToHaveCountAsync(1);
            var box = (await cell.BoundingBoxAsync())!;
            Assert.InRange(box.Width, 1, 400);                                        // cut to its column (22em)
            var status = (await Page.GetByTestId("run-status").First.BoundingBoxAsync())!;
            Assert.InRange(status.X + status.Width, 0, 1280);                         // the next columns are still on the screen
            await LabBrowser.ScreenshotAsync(Page, "runs-long-name");
        }
        catch (Exception e) { throw Lab.Explain(e); }
    }
}
