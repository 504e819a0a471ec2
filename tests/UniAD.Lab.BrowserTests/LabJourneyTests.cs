using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace UniAD.Lab.BrowserTests;

/// <summary>A researcher's first session, in Debian's chromium against the real lab: upload a small generated dataset,
/// check its validation report, store it, queue a tiny run, watch it train live to "Finished", and read the
/// per-category table and chart. A screenshot of each page goes to <c>artifacts/screenshots/</c>.</summary>
public sealed class LabJourneyTests : LabPageTest
{
    [Fact]
    public async Task UploadQueueWatchAndReadTheResults()
    {
        try
        {
            await Page.GotoAsync(Lab.Url);
            await Expect(Page.GetByTestId("import-demo")).ToBeVisibleAsync();
            await Screenshot("home");

            // Datasets: upload a zip, read the report, store the version.
            await Page.GotoAsync($"{Lab.Url}/datasets");
            await Page.GetByTestId("import-name").FillAsync("tiny");
            await Page.Locator("input[type=file]").SetInputFilesAsync(TinyLabData.Zip());
            await Expect(Page.GetByTestId("validation-summary")).ToContainTextAsync("0 error(s)");
            await Expect(Page.GetByTestId("validation-counts")).ToContainTextAsync("fabric");
            await Screenshot("datasets-validation");
            await Page.GetByTestId("confirm-import").ClickAsync();
            await Expect(Page.GetByTestId("dataset-table")).ToContainTextAsync("tiny");
            await Screenshot("datasets");

            // Its category browser: the first category's test images, masks outlined.
            await Page.GetByTestId("dataset-table").GetByText("tiny").ClickAsync();
            await Expect(Page.GetByTestId("dataset-tile")).ToHaveCountAsync(6);               // fabric: 2 good + 4 defects
            await Page.WaitForFunctionAsync("() => [...document.querySelectorAll('[data-testid=dataset-tile] img')].every(i => i.complete && i.naturalWidth > 0)");
            await Screenshot("dataset-browser");

            // New run: the tiny config, three epochs, one seed.
            await Page.GotoAsync($"{Lab.Url}/runs/new");
            await Page.GetByTestId("run-name").FillAsync("first tiny run");
            await Page.GetByTestId("run-epochs").FillAsync("3");
            await Page.GetByTestId("run-evaluate-every").FillAsync("1");
            await Page.GetByTestId("run-overrides").FillAsync(string.Join('\n', TinyLabData.Overrides));
            await Expect(Page.GetByTestId("run-config")).ToContainTextAsync("\"hidden_dim\": 32");
            await Expect(Page.GetByTestId("run-problem")).ToHaveCountAsync(0);
            await Expect(Page.GetByTestId("run-estimate")).ToContainTextAsync("No estimate yet");
            await Screenshot("new-run");
            await Page.GetByTestId("queue-run").ClickAsync();

            // Run detail: live progress without reloading, then the results.
            await Page.WaitForURLAsync("**/runs/*");
            await Expect(Page.GetByTestId("run-progress")).ToContainTextAsync("epoch", new() { Timeout = 600_000 });
            await Screenshot("run-live");
            await Expect(Page.GetByTestId("run-status")).ToHaveTextAsync("Finished", new() { Timeout = 600_000 });
            await Expect(Page.GetByTestId("results-table")).ToContainTextAsync("(mean)");
            await Expect(Page.GetByTestId("results-table")).ToContainTextAsync("nut");
            await Expect(Page.GetByTestId("category-chart").Locator("svg.main-svg").First).ToBeVisibleAsync();
            await Expect(Page.GetByTestId("loss-chart").Locator("svg.main-svg").First).ToBeVisibleAsync();
            // Tested after each of the 3 epochs: one point per epoch on the mean image AUROC line.
            await Expect(Page.GetByTestId("test-metrics-chart").Locator("g.scatterlayer g.trace").First.Locator("path.point")).ToHaveCountAsync(3);
            await Expect(Page.GetByTestId("defect-types")).ToContainTextAsync("Per defect type (7)");   // fabric 4 + nut 3
            await Expect(Page.GetByTestId("roc-chart").Locator("svg.main-svg").First).ToBeVisibleAsync();
            await Expect(Page.GetByTestId("image-score-switcher")).ToContainTextAsync("(mean)");
            await Expect(Page.GetByTestId("colour-bar")).ToBeVisibleAsync();
            var firstTile = Page.GetByTestId("heatmap-tile").First.Locator("img");
            await firstTile.ScrollIntoViewIfNeededAsync();
            await Page.WaitForFunctionAsync("() => [...document.querySelectorAll('[data-testid=heatmap-tile] img')].slice(0, 4).every(i => i.complete && i.naturalWidth > 0)");
            await Expect(Page.GetByTestId("heatmap-tile")).ToHaveCountAsync(6 + 5);  // every test image: fabric 2 good + 4 defects, nut 2 + 3
            await Screenshot("run-finished");
            // The failure gallery: only the images the run gets wrong, each labelled (a 3-epoch model gets some wrong).
            await Page.GetByTestId("misses-only").ClickAsync();
            await Expect(Page.GetByTestId("heatmap-tile")).Not.ToHaveCountAsync(6 + 5);
            var misses = await Page.GetByTestId("heatmap-tile").CountAsync();
            Assert.InRange(misses, 1, 6 + 5 - 1);
            await Expect(Page.GetByTestId("miss-label")).ToHaveCountAsync(misses);
            await Page.GetByTestId("misses-only").ClickAsync();
            var csv = await Page.APIRequest.GetAsync($"{Page.Url}/files/results.csv");
            Assert.True(csv.Ok, $"results.csv download: {csv.Status}");
            Assert.Contains("nut", await csv.TextAsync());

            // Clone and edit: the same config again, now with a measured time estimate.
            await Page.GetByTestId("clone-run").ClickAsync();
            await Expect(Page.GetByTestId("run-name")).ToHaveValueAsync("first tiny run (copy)");
            await Expect(Page.GetByTestId("run-estimate")).ToContainTextAsync("Estimated training time");
            await Screenshot("clone");

            await Page.GotoAsync($"{Lab.Url}/runs");
            await Expect(Page.GetByTestId("runs-grid")).ToContainTextAsync("first tiny run");
            await Page.GetByTestId("group-by").FillAsync("model.queries");
            await Page.Locator(".mud-popover-open .mud-list-item").GetByText("model.queries", new() { Exact = true }).ClickAsync();
            await Expect(Page.GetByTestId("run-groups")).ToContainTextAsync("layerwise");
            await Screenshot("runs");
            await Page.GotoAsync($"{Lab.Url}/queue");
            await Expect(Page.GetByTestId("queue-table")).ToContainTextAsync("Nothing queued");
            await Screenshot("queue");
        }
        catch (Exception e) { throw Lab.Explain(e); }                 // with the lab's log: the lab is gone afterwards
    }

    private Task Screenshot(string name) => LabBrowser.ScreenshotAsync(Page, name);
}
