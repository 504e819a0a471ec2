using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace UniAD.Lab.BrowserTests;

/// <summary>A sample of the fault suite's malformed-input corpus through the pages: the page shows the same one line as the
/// CLI and the API, offers no way to go on, and nothing is stored.</summary>
public sealed class MalformedInputPageTests : LabPageTest
{
    [Fact]
    public async Task MalformedDatasetsAndConfigsAreRefusedOnThePagesWithTheirLine()
    {
        try
        {
            var archive = MalformedInputs.Datasets.Single(d => d.Name == "truncated zip");
            await UploadAsync(archive);
            await Expect(Page.GetByTestId("import-error")).ToContainTextAsync(archive.Error);
            foreach (var name in new[] { "truncated PNG", "metadata path escaping the root", "RGB mask" })
            {
                var input = MalformedInputs.Datasets.Single(d => d.Name == name);
                await UploadAsync(input);
                await Expect(Page.GetByTestId("validation-problem").First).ToContainTextAsync(input.Error);
                await Expect(Page.GetByTestId("confirm-import")).ToBeDisabledAsync();
            }

            int dataset = await TinyLabData.ImportAsync(Lab);
            await Page.GotoAsync($"{Lab.Url}/runs/new");
            await Page.GetByTestId("run-name").FillAsync("bad");
            foreach (var name in new[] { "neighbor mask larger than the token grid", "dropout above 1", "unknown key" })
            {
                var input = MalformedInputs.Configs.Single(c => c.Name == name);
                await Page.GetByTestId("run-overrides").FillAsync(string.Join('\n', input.Overrides));
                await Expect(Page.GetByTestId("run-problem")).ToContainTextAsync(input.Error);
                await Expect(Page.GetByTestId("queue-run")).ToBeDisabledAsync();
            }

            using var http = new HttpClient { BaseAddress = new Uri(Lab.Url) };
            Assert.Single((await RunningLab.Json(await http.GetAsync("/api/datasets"))).EnumerateArray());      // only "tiny"
            Assert.Equal(0, (await RunningLab.Json(await http.GetAsync("/api/runs"))).GetProperty("total").GetInt32());
        }
        catch (Exception e) { throw Lab.Explain(e); }
    }

    private async Task UploadAsync(MalformedDataset input)
    {
        await Page.GotoAsync($"{Lab.Url}/datasets");
        await Page.GetByTestId("import-name").FillAsync("bad");
        await Page.Locator("input[type=file]").SetInputFilesAsync(input.MakeZip());
    }
}
