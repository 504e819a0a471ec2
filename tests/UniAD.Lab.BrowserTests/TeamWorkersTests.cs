using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using static Microsoft.Playwright.Assertions;

namespace UniAD.Lab.BrowserTests;

/// <summary>A team's set-up on one machine: a lab that does not train (Lab:Workers:training=0) and two worker processes,
/// all on one PostgreSQL database and one data root.</summary>
public sealed class TeamWorkersTests
{
    [Fact]
    public async Task TwoWorkersTrainSixRunsFromOneQueueTheLabShowsEveryResultAndADrainedWorkerTakesNoMore()
    {
        string postgres = PostgresServer.Shared.CreateDatabase("team");
        using var lab = new RunningLab(asResearcher: true, environment: new Dictionary<string, string>
        {
            ["Lab__Database__Provider"] = "Postgres", ["Lab__Database__ConnectionString"] = postgres, ["Lab__Workers__training"] = "0",
        });
        using var first = new RunningWorker(lab.DataRoot, postgres);
        using var second = new RunningWorker(lab.DataRoot, postgres);
        try
        {
            await Task.WhenAll(first.RegisteredAsync(), second.RegisteredAsync());
            using var http = lab.Client();
            var workers = (await RunningLab.Json(await http.GetAsync("/api/workers"))).EnumerateArray().ToList();
            Assert.Equal(new[] { first.Name, second.Name }.Order(StringComparer.Ordinal),
                workers.Select(w => w.GetProperty("name").GetString()!).Order(StringComparer.Ordinal));            // the two workers, and not the lab
            Assert.All(workers, w => Assert.Equal("live", w.GetProperty("state").GetString()));
            Assert.All(workers, w => Assert.StartsWith("cpu, ", w.GetProperty("devices")[0].GetString()));

            int dataset = await TinyLabData.ImportAsync(lab);
            var queued = await http.PostAsJsonAsync("/api/runs", new
            {
                datasetId = dataset, name = "shared queue", epochs = 1, evaluateEvery = 0, seeds = new[] { 1, 2, 3, 4, 5, 6 },
                overrides = TinyLabData.Overrides, device = "cpu",
            });
            Assert.Equal(HttpStatusCode.Created, queued.StatusCode);
            var ids = (await RunningLab.Json(queued)).GetProperty("ids").EnumerateArray().Select(id => id.GetInt32()).ToList();
            var runs = new List<JsonElement>();
            foreach (var id in ids) runs.Add(await lab.FinishedRunAsync(http, id));

            var trainedBy = runs.Select(r => r.GetProperty("worker").GetString()).ToList();
            Assert.All(trainedBy, w => Assert.Contains(w, new[] { first.Name, second.Name }));
            Assert.Equal(2, trainedBy.Distinct().Count());                                  // both took some
            Assert.All(runs, r => Assert.Contains(" on cpu", Assert.Single(r.GetProperty("trainedOn").EnumerateArray()).GetString()));
            Assert.All(runs, r => Assert.InRange(r.GetProperty("meanImageAuroc").GetDouble(), 0, 1));
            var grid = await RunningLab.Json(await http.GetAsync("/api/runs?pageSize=50"));
            Assert.Equal(6, grid.GetProperty("runs").EnumerateArray().Count(r => r.GetProperty("status").GetString() == "Finished"));

            // What the pages show, in chromium: both workers live, the worker that trained a run, a queue no worker serves.
            await using var browser = await LabBrowser.StartAsync();
            var page = await browser.NewPageAsync();
            await LabBrowser.SignInAsync(page, lab.Url, RunningLab.ResearcherName, RunningLab.Password);
            await page.GotoAsync($"{lab.Url}/workers");
            await Expect(page.GetByTestId("worker-name")).ToHaveCountAsync(2);
            await Expect(page.GetByTestId("workers")).ToContainTextAsync(first.Name);
            await Expect(page.GetByTestId("workers")).ToContainTextAsync(second.Name);
            await LabBrowser.ScreenshotAsync(page, "workers");
            await page.GotoAsync($"{lab.Url}/runs/{ids[0]}");
            await Expect(page.GetByTestId("run-trained-on")).ToContainTextAsync(trainedBy[0]!);
            await page.GotoAsync($"{lab.Url}/runs/new");
            await Expect(page.GetByTestId("run-queue")).ToBeVisibleAsync();
            await Expect(page.GetByTestId("queue-without-worker")).ToHaveCountAsync(0);        // the training queue has two

            // An admin drains the first worker on the Workers page (a researcher may not); what is queued next goes to the second.
            Assert.Equal(HttpStatusCode.Forbidden, (await http.PostAsync($"/api/workers/{first.Name}/drain", null)).StatusCode);
            var adminPage = await browser.NewPageAsync();
            await LabBrowser.SignInAsync(adminPage, lab.Url, RunningLab.AdminName, RunningLab.Password);
            await adminPage.GotoAsync($"{lab.Url}/workers");
            var firstRow = adminPage.Locator("tr", new() { Has = adminPage.GetByText(first.Name) });
            await firstRow.GetByTestId("drain-worker").ClickAsync();
            await Expect(firstRow.GetByTestId("worker-state")).ToHaveTextAsync("draining");
            await Expect(firstRow.GetByTestId("undrain-worker")).ToBeVisibleAsync();
            var after = await http.PostAsJsonAsync("/api/runs", new
            {
                datasetId = dataset, name = "after the drain", epochs = 1, evaluateEvery = 0, seeds = new[] { 7, 8 },
                overrides = TinyLabData.Overrides, device = "cpu",
            });
            foreach (var id in (await RunningLab.Json(after)).GetProperty("ids").EnumerateArray().Select(id => id.GetInt32()))
                Assert.Equal(second.Name, (await lab.FinishedRunAsync(http, id)).GetProperty("worker").GetString());
            using var admin = await lab.AdminAsync();
            Assert.Equal(HttpStatusCode.NoContent, (await admin.PostAsync($"/api/workers/{first.Name}/undrain", null)).StatusCode);
            var states = (await RunningLab.Json(await http.GetAsync("/api/workers"))).EnumerateArray()
                .ToDictionary(w => w.GetProperty("name").GetString()!, w => w.GetProperty("state").GetString());
            Assert.Equal("live", states[first.Name]);
        }
        catch (Exception e)
        {
            throw new Exception($"{lab.Explain(e).Message}\n--- first worker\n{first.Log}\n--- second worker\n{second.Log}", e);
        }
    }
}
