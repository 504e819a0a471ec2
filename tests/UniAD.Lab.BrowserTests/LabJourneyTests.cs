using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace UniAD.Lab.BrowserTests;

/// <summary>A researcher's first session, in Debian's chromium against the real lab: upload a small generated dataset,
/// check its validation report, store it, queue a tiny run, watch it train live to "Finished", and read the
/// per-category table and chart. A screenshot of each page goes to <c>artifacts/screenshots/</c>.</summary>
public sealed class LabJourneyTests : IAsyncLifetime, IDisposable
{
    private readonly RunningLab _lab = new();
    private LabBrowser _browser = null!;
    private IPage _page = null!;

    public async Task InitializeAsync()
    {
        _browser = await LabBrowser.StartAsync();
        _page = await _browser.NewPageAsync();
    }

    [Fact]
    public async Task UploadQueueWatchAndReadTheResults()
    {
        try
        {
            await _page.GotoAsync(_lab.Url);
            await Expect(_page.GetByTestId("import-demo")).ToBeVisibleAsync();
            await Screenshot("home");

            // Datasets: upload a zip, read the report, store the version.
            await _page.GotoAsync($"{_lab.Url}/datasets");
            await _page.GetByTestId("import-name").FillAsync("tiny");
            await _page.Locator("input[type=file]").SetInputFilesAsync(TinyLabData.Zip());
            await Expect(_page.GetByTestId("validation-summary")).ToContainTextAsync("0 error(s)");
            await Expect(_page.GetByTestId("validation-counts")).ToContainTextAsync("fabric");
            await Screenshot("datasets-validation");
            await _page.GetByTestId("confirm-import").ClickAsync();
            await Expect(_page.GetByTestId("dataset-table")).ToContainTextAsync("tiny");
            await Screenshot("datasets");

            // Its category browser: the first category's test images, masks outlined.
            await _page.GetByTestId("dataset-table").GetByText("tiny").ClickAsync();
            await Expect(_page.GetByTestId("dataset-tile")).ToHaveCountAsync(6);               // fabric: 2 good + 4 defects
            await _page.WaitForFunctionAsync("() => [...document.querySelectorAll('[data-testid=dataset-tile] img')].every(i => i.complete && i.naturalWidth > 0)");
            await Screenshot("dataset-browser");

            // New run: the tiny config, three epochs, one seed.
            await _page.GotoAsync($"{_lab.Url}/runs/new");
            await _page.GetByTestId("run-name").FillAsync("first tiny run");
            await _page.GetByTestId("run-epochs").FillAsync("3");
            await _page.GetByTestId("run-evaluate-every").FillAsync("1");
            await _page.GetByTestId("run-overrides").FillAsync(string.Join('\n', TinyLabData.Overrides));
            await Expect(_page.GetByTestId("run-config")).ToContainTextAsync("\"hidden_dim\": 32");
            await Expect(_page.GetByTestId("run-problem")).ToHaveCountAsync(0);
            await Expect(_page.GetByTestId("run-estimate")).ToContainTextAsync("No estimate yet");
            await Screenshot("new-run");
            await _page.GetByTestId("queue-run").ClickAsync();

            // Run detail: live progress without reloading, then the results.
            await _page.WaitForURLAsync("**/runs/*");
            await Expect(_page.GetByTestId("run-progress")).ToContainTextAsync("epoch", new() { Timeout = 600_000 });
            await Screenshot("run-live");
            await Expect(_page.GetByTestId("run-status")).ToHaveTextAsync("Finished", new() { Timeout = 600_000 });
            await Expect(_page.GetByTestId("results-table")).ToContainTextAsync("(mean)");
            await Expect(_page.GetByTestId("results-table")).ToContainTextAsync("nut");
            await Expect(_page.GetByTestId("category-chart").Locator("svg.main-svg").First).ToBeVisibleAsync();
            await Expect(_page.GetByTestId("loss-chart").Locator("svg.main-svg").First).ToBeVisibleAsync();
            // Tested after each of the 3 epochs: one point per epoch on the mean image AUROC line.
            await Expect(_page.GetByTestId("test-metrics-chart").Locator("g.scatterlayer g.trace").First.Locator("path.point")).ToHaveCountAsync(3);
            await Expect(_page.GetByTestId("defect-types")).ToContainTextAsync("Per defect type (7)");   // fabric 4 + nut 3
            await Expect(_page.GetByTestId("roc-chart").Locator("svg.main-svg").First).ToBeVisibleAsync();
            await Expect(_page.GetByTestId("image-score-switcher")).ToContainTextAsync("(mean)");
            await Expect(_page.GetByTestId("colour-bar")).ToBeVisibleAsync();
            var firstTile = _page.GetByTestId("heatmap-tile").First.Locator("img");
            await firstTile.ScrollIntoViewIfNeededAsync();
            await _page.WaitForFunctionAsync("() => [...document.querySelectorAll('[data-testid=heatmap-tile] img')].slice(0, 4).every(i => i.complete && i.naturalWidth > 0)");
            await Expect(_page.GetByTestId("heatmap-tile")).ToHaveCountAsync(6 + 5);  // every test image: fabric 2 good + 4 defects, nut 2 + 3
            await Screenshot("run-finished");
            // The failure gallery: only the images the run gets wrong, each labelled (a 3-epoch model gets some wrong).
            await _page.GetByTestId("misses-only").ClickAsync();
            await Expect(_page.GetByTestId("heatmap-tile")).Not.ToHaveCountAsync(6 + 5);
            var misses = await _page.GetByTestId("heatmap-tile").CountAsync();
            Assert.InRange(misses, 1, 6 + 5 - 1);
            await Expect(_page.GetByTestId("miss-label")).ToHaveCountAsync(misses);
            await _page.GetByTestId("misses-only").ClickAsync();
            var csv = await _page.APIRequest.GetAsync($"{_page.Url}/files/results.csv");
            Assert.True(csv.Ok, $"results.csv download: {csv.Status}");
            Assert.Contains("nut", await csv.TextAsync());

            // Clone and edit: the same config again, now with a measured time estimate.
            await _page.GetByTestId("clone-run").ClickAsync();
            await Expect(_page.GetByTestId("run-name")).ToHaveValueAsync("first tiny run (copy)");
            await Expect(_page.GetByTestId("run-estimate")).ToContainTextAsync("Estimated training time");
            await Screenshot("clone");

            await _page.GotoAsync($"{_lab.Url}/runs");
            await Expect(_page.GetByTestId("runs-grid")).ToContainTextAsync("first tiny run");
            await _page.GetByTestId("group-by").FillAsync("model.queries");
            await _page.Locator(".mud-popover-open .mud-list-item").GetByText("model.queries", new() { Exact = true }).ClickAsync();
            await Expect(_page.GetByTestId("run-groups")).ToContainTextAsync("layerwise");
            await Screenshot("runs");
            await _page.GotoAsync($"{_lab.Url}/queue");
            await Expect(_page.GetByTestId("queue-table")).ToContainTextAsync("Nothing queued");
            await Screenshot("queue");
        }
        catch (Exception e) { throw _lab.Explain(e); }                 // with the lab's log: the lab is gone afterwards
    }

    private Task Screenshot(string name) => LabBrowser.ScreenshotAsync(_page, name);

    public async Task DisposeAsync() => await _browser.DisposeAsync();

    public void Dispose() => _lab.Dispose();
}
