using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace UniAD.Lab.FaultTests;

/// <summary>Four people at once on one lab, each in a browser of their own (loopback only, a bounded number of rounds):
/// they upload datasets, queue runs, tag them, cancel them and browse while a run trains. No page fails, the lab logs
/// no error, and every action's effect is in the database afterwards.</summary>
[Collection(FaultSuite.Collection)]
public sealed class ConcurrentSessionsTests
{
    private const int Sessions = 4, Rounds = 2;

    private sealed record Action(string Dataset, string Run, string Tag, bool Cancelled);

    [Fact]
    public async Task FourBrowserSessionsAtOnceLoseNoWriteAndHitNoError()
    {
        using var lab = new RunningLab(asResearcher: true);
        try
        {
            await using var browser = await LabBrowser.StartAsync();
            using var http = KillTests.Client(lab);
            var zip = TinyLabData.Zip();
            var done = new ConcurrentBag<Action>();
            await Task.WhenAll(Enumerable.Range(1, Sessions).Select(async session =>
            {
                var page = await browser.NewPageAsync();
                await LabBrowser.SignInAsync(page, lab.Url, RunningLab.ResearcherName, RunningLab.Password);
                for (int round = 1; round <= Rounds; round++)
                    done.Add(await OneRoundAsync(page, lab.Url, http, zip, $"s{session}r{round}"));
            }));

            Assert.Equal(Sessions * Rounds, done.Count);
            var datasets = (await RunningLab.Json(await http.GetAsync("/api/datasets"))).EnumerateArray().Select(d => d.GetProperty("name").GetString()).ToList();
            var runs = (await RunningLab.Json(await http.GetAsync("/api/runs?pageSize=100"))).GetProperty("runs").EnumerateArray().ToList();
            foreach (var action in done)
            {
                FaultSuite.AssertNothingLost(() =>
                {
                    Assert.Contains(action.Dataset, datasets);
                    var run = Assert.Single(runs, r => r.GetProperty("name").GetString() == action.Run);
                    Assert.Contains(action.Tag, run.GetProperty("tags").EnumerateArray().Select(t => t.GetString()));
                    if (action.Cancelled) Assert.Equal("Cancelled", run.GetProperty("status").GetString());
                }, $"{action.Run}: its dataset, run, tag and cancel are all stored");
            }
            Assert.DoesNotContain(lab.Log.Split('\n'), line => line.StartsWith("fail:") || line.StartsWith("crit:"));
            FaultSuite.AssertDatabaseIntact(lab.DataRoot);
        }
        catch (Exception e) { throw lab.Explain(e); }
        FaultSuite.Passed();
    }

    /// <summary>Upload a dataset, queue a run on it, tag it, cancel it if it still trains, and browse the lists.</summary>
    private static async Task<Action> OneRoundAsync(IPage page, string url, HttpClient http, string zip, string name)
    {
        await page.GotoAsync($"{url}/datasets");
        await page.GetByTestId("import-name").FillAsync(name);
        await page.Locator("input[type=file]").SetInputFilesAsync(zip);
        await Expect(page.GetByTestId("validation-summary")).ToContainTextAsync("0 error(s)");
        await page.GetByTestId("confirm-import").ClickAsync();
        await Expect(page.GetByTestId("dataset-table")).ToContainTextAsync(name);
        int dataset = (await RunningLab.Json(await http.GetAsync("/api/datasets"))).EnumerateArray()
            .Single(d => d.GetProperty("name").GetString() == name).GetProperty("id").GetInt32();

        await page.GotoAsync($"{url}/runs/new?dataset={dataset}");
        await page.GetByTestId("run-name").FillAsync(name);
        await page.GetByTestId("run-epochs").FillAsync("40");
        await page.GetByTestId("run-overrides").FillAsync(string.Join('\n', TinyLabData.Overrides));
        await Expect(page.GetByTestId("run-problem")).ToHaveCountAsync(0);
        await page.GetByTestId("queue-run").ClickAsync();
        await page.WaitForURLAsync(new System.Text.RegularExpressions.Regex(@"/runs/\d+$"));
        int run = int.Parse(page.Url[(page.Url.LastIndexOf('/') + 1)..]);

        string tag = $"{name}-tag";
        await page.GetByTestId("run-tags").FillAsync(tag);
        await page.GetByTestId("save-annotations").ClickAsync();
        for (var deadline = DateTime.UtcNow.AddMinutes(2); !(await TagsAsync(http, run)).Contains(tag); await Task.Delay(100))
            Assert.True(DateTime.UtcNow < deadline, $"the tag of run {run} was not saved");

        bool cancelled = false;
        var cancel = page.GetByTestId("cancel-run");
        if (await cancel.IsVisibleAsync())
        {
            // The run may finish between seeing its Cancel button and clicking it: then the button is gone for good.
            try { await cancel.ClickAsync(new() { Timeout = 30_000 }); }
            catch (TimeoutException) { Assert.Equal("Finished", await StatusAsync(http, run)); }
            await Expect(page.GetByTestId("run-status").First).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("Cancelled|Finished"), new() { Timeout = 300_000 });
            cancelled = await page.GetByTestId("run-status").First.TextContentAsync() == "Cancelled";
        }

        foreach (var (path, testId) in new[] { ("/runs", "runs-grid"), ("/queue", "queue-table"), ($"/datasets/{dataset}", "dataset-tile"), ("/", "") })
        {
            await page.GotoAsync($"{url}{path}");
            if (testId.Length > 0) await Expect(page.GetByTestId(testId).First).ToBeVisibleAsync();
            await Expect(page.Locator(".page-error")).ToHaveCountAsync(0);
            await Expect(page.Locator("#blazor-error-ui")).ToBeHiddenAsync();
        }
        return new Action(name, name, tag, cancelled);
    }

    private static async Task<string?> StatusAsync(HttpClient http, int run) =>
        (await RunningLab.Json(await http.GetAsync($"/api/runs/{run}"))).GetProperty("status").GetString();

    private static async Task<string> TagsAsync(HttpClient http, int run) =>
        string.Join(", ", (await RunningLab.Json(await http.GetAsync($"/api/runs/{run}"))).GetProperty("tags").EnumerateArray().Select(t => t.GetString()));
}
