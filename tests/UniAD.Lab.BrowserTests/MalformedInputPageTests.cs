using Microsoft.Playwright;
using UniAD.Lab.FaultTests;
using static Microsoft.Playwright.Assertions;

namespace UniAD.Lab.BrowserTests;

/// <summary>A sample of the fault suite's malformed-input corpus through the pages: the page shows the same one line as the
/// CLI and the API, offers no way to go on, and nothing is stored.</summary>
public sealed class MalformedInputPageTests : IAsyncLifetime, IDisposable
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
    public async Task MalformedDatasetsAndConfigsAreRefusedOnThePagesWithTheirLine()
    {
        try
        {
            var archive = MalformedInputs.Datasets.Single(d => d.Name == "truncated zip");
            await UploadAsync(archive);
            await Expect(_page.GetByTestId("import-error")).ToContainTextAsync(archive.Error);
            foreach (var name in new[] { "truncated PNG", "metadata path escaping the root", "RGB mask" })
            {
                var input = MalformedInputs.Datasets.Single(d => d.Name == name);
                await UploadAsync(input);
                await Expect(_page.GetByTestId("validation-problem").First).ToContainTextAsync(input.Error);
                await Expect(_page.GetByTestId("confirm-import")).ToBeDisabledAsync();
            }

            int dataset = await TinyLabData.ImportAsync(_lab.Url);
            await _page.GotoAsync($"{_lab.Url}/runs/new");
            await _page.GetByTestId("run-name").FillAsync("bad");
            foreach (var name in new[] { "neighbor mask larger than the token grid", "dropout above 1", "unknown key" })
            {
                var input = MalformedInputs.Configs.Single(c => c.Name == name);
                await _page.GetByTestId("run-overrides").FillAsync(string.Join('\n', input.Overrides));
                await Expect(_page.GetByTestId("run-problem")).ToContainTextAsync(input.Error);
                await Expect(_page.GetByTestId("queue-run")).ToBeDisabledAsync();
            }

            using var http = new HttpClient { BaseAddress = new Uri(_lab.Url) };
            Assert.Single((await RunningLab.Json(await http.GetAsync("/api/datasets"))).EnumerateArray());      // only "tiny"
            Assert.Equal(0, (await RunningLab.Json(await http.GetAsync("/api/runs"))).GetProperty("total").GetInt32());
        }
        catch (Exception e) { throw _lab.Explain(e); }
    }

    private async Task UploadAsync(MalformedDataset input)
    {
        await _page.GotoAsync($"{_lab.Url}/datasets");
        await _page.GetByTestId("import-name").FillAsync("bad");
        await _page.Locator("input[type=file]").SetInputFilesAsync(input.MakeZip());
    }

    public async Task DisposeAsync() => await _browser.DisposeAsync();

    public void Dispose() => _lab.Dispose();
}
