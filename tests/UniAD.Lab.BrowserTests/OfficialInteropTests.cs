using System.IO.Compression;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace UniAD.Lab.BrowserTests;

/// <summary>Official checkpoints against the real lab: one imported through the Runs page in Debian's chromium, one over the
/// HTTP API, a refused one, and the imported run's export downloaded.</summary>
public sealed class OfficialInteropTests : IAsyncLifetime, IDisposable
{
    private readonly RunningLab _lab = new();
    private readonly HttpClient _http;
    private readonly OfficialTestFiles.Exported _files = OfficialTestFiles.TinyEfficientNetB4Run(TestScratch.NewFolder("uniad-official-e2e"));
    private LabBrowser _browser = null!;

    public OfficialInteropTests() => _http = new HttpClient { BaseAddress = new Uri(_lab.Url), Timeout = TimeSpan.FromMinutes(5) };

    public async Task InitializeAsync() => _browser = await LabBrowser.StartAsync();

    [Fact]
    public async Task AnOfficialCheckpointImportsThroughTheRunsPageAndExportsAgain()
    {
        try
        {
            await TinyLabData.ImportAsync(_lab);
            var page = await _browser.NewPageAsync();
            await page.GotoAsync($"{_lab.Url}/runs");
            await page.GetByTestId("import-official").ClickAsync();
            await page.WaitForURLAsync(new Regex("/runs/import-official$"));
            await page.GetByTestId("import-checkpoint").SetInputFilesAsync(_files.Checkpoint);
            await page.GetByTestId("import-yaml").SetInputFilesAsync(_files.Yaml);
            await Expect(page.GetByTestId("import-run-name")).ToHaveValueAsync("official ckpt.pth");
            await page.GetByTestId("import-run").ClickAsync();

            await page.WaitForURLAsync(new Regex(@"/runs/\d+$"));
            int id = int.Parse(page.Url.Split('/')[^1]);
            await Expect(page.GetByTestId("run-imported")).ToContainTextAsync("Imported from the official UniAD code: ckpt.pth.tar, epoch 1");
            await Expect(page.GetByTestId("export-official")).ToBeVisibleAsync(new() { Timeout = 600_000 });   // once the evaluation finished
            await LabBrowser.ScreenshotAsync(page, "imported-official-run");

            var run = await RunningLab.Json(await _http.GetAsync($"/api/runs/{id}"));
            Assert.Equal("Finished", run.GetProperty("status").GetString());
            Assert.Equal(["fabric", "nut", "(mean)"], run.GetProperty("results").EnumerateArray().Select(r => r.GetProperty("category").GetString()));
            var export = await _http.GetAsync($"/api/runs/{id}/official.zip");
            Assert.Equal(HttpStatusCode.OK, export.StatusCode);
            using var zip = new ZipArchive(await export.Content.ReadAsStreamAsync());
            Assert.Equal(["ckpt.pth.tar", "config.yaml"], zip.Entries.Select(e => e.FullName).Order());
        }
        catch (Exception e) { throw _lab.Explain(e); }
    }

    [Fact]
    public async Task TheHttpApiImportsAndRefusesWithTheKeyNamed()
    {
        try
        {
            int datasetId = await TinyLabData.ImportAsync(_lab);
            var sgd = Path.Combine(Path.GetDirectoryName(_files.Yaml)!, "sgd.yaml");
            File.WriteAllText(sgd, File.ReadAllText(_files.Yaml).Replace("type: AdamW", "type: SGD"));
            var refused = await _http.PostAsJsonAsync("/api/runs/import-official", new
            {
                checkpointUpload = await UploadAsync(_files.Checkpoint), configUpload = await UploadAsync(sgd), configName = "sgd.yaml",
                datasetId, name = "refused",
            });
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
            Assert.Equal(["sgd.yaml: trainer.optimizer.type SGD: the lab has AdamW only"],
                (await RunningLab.Json(refused)).GetProperty("problems").EnumerateArray().Select(p => p.GetString()));

            var created = await _http.PostAsJsonAsync("/api/runs/import-official", new
            {
                checkpointUpload = await UploadAsync(_files.Checkpoint), configUpload = await UploadAsync(_files.Yaml), datasetId, name = "over http",
                device = "cpu",
            });
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            int id = (await RunningLab.Json(created)).GetProperty("id").GetInt32();
            var run = await _lab.FinishedRunAsync(_http, id);
            Assert.Equal("the official UniAD code: ckpt.pth.tar, epoch 1", run.GetProperty("importedFrom").GetString());
        }
        catch (Exception e) { throw _lab.Explain(e); }
    }

    private async Task<string> UploadAsync(string path)
    {
        using var content = new StreamContent(File.OpenRead(path));
        return (await RunningLab.Json(await _http.PostAsync("/api/uploads", content))).GetProperty("upload").GetString()!;
    }

    public async Task DisposeAsync() => await _browser.DisposeAsync();

    public void Dispose()
    {
        _http.Dispose();
        _lab.Dispose();
    }
}
