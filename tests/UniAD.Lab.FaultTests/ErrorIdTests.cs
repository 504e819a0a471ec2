using System.Net;
using System.Text.RegularExpressions;
using Microsoft.Data.Sqlite;
using static Microsoft.Playwright.Assertions;

namespace UniAD.Lab.FaultTests;

/// <summary>A fault inside the lab (here a run whose stored config was damaged behind its back): the API answers a 500 with
/// one line, an error id and no stack trace, and so does the run's page; the lab's log holds each id with the exception.</summary>
[Collection(FaultSuite.Collection)]
public sealed class ErrorIdTests
{
    [Fact]
    public async Task AFaultInsideTheLabIsShownWithAnErrorIdThatIsInTheLogAndNoStackTrace()
    {
        using var lab = new RunningLab(asResearcher: true);
        try
        {
            using var http = KillTests.Client(lab);
            int dataset = await TinyLabData.ImportAsync(lab);
            int run = await FaultSuite.QueueTinyRunAsync(http, dataset, "damaged", epochs: 1), other = await FaultSuite.QueueTinyRunAsync(http, dataset, "intact", epochs: 1);
            await lab.FinishedRunAsync(http, run);
            await lab.FinishedRunAsync(http, other);
            using (var db = new SqliteConnection($"Data Source={Path.Combine(lab.DataRoot, "lab.db")};Pooling=False"))
            {
                db.Open();
                using var damage = db.CreateCommand();
                damage.CommandText = $"UPDATE Runs SET ConfigJson = '{{\"model\": ' WHERE Id = {run}";
                Assert.Equal(1, damage.ExecuteNonQuery());
            }
            FaultSuite.Injected();

            var answer = await http.GetAsync($"/api/compare?runs={run},{other}");
            Assert.Equal(HttpStatusCode.InternalServerError, answer.StatusCode);
            var body = await answer.Content.ReadAsStringAsync();
            Assert.DoesNotContain("   at ", body);
            AssertLogged(lab, Regex.Match(body, @"the lab failed on this request \(error ([0-9a-f]{8})\); its log has the details").Groups[1].Value);

            await using var browser = await LabBrowser.StartAsync();
            var page = await browser.NewPageAsync();
            await LabBrowser.SignInAsync(page, lab.Url, RunningLab.ResearcherName, RunningLab.Password);
            await page.GotoAsync($"{lab.Url}/runs/{run}");
            await Expect(page.Locator(".page-error")).ToContainTextAsync("This page failed (error ");
            var shown = await page.Locator(".page-error").TextContentAsync();
            Assert.DoesNotContain("JsonException", shown);
            AssertLogged(lab, Regex.Match(shown!, @"\(error ([0-9a-f]{8})\)").Groups[1].Value);
            await page.GotoAsync($"{lab.Url}/runs/{other}");                  // the rest of the lab is unharmed
            await Expect(page.GetByTestId("run-status").First).ToHaveTextAsync("Finished");
            await Expect(page.Locator(".page-error")).ToHaveCountAsync(0);
        }
        catch (Exception e) { throw lab.Explain(e); }
        FaultSuite.Passed();
    }

    /// <summary>The id is in the lab's log, on the line before the exception's own.</summary>
    private static void AssertLogged(RunningLab lab, string errorId)
    {
        Assert.Matches("^[0-9a-f]{8}$", errorId);
        var log = lab.Log.Split('\n');
        int at = Array.FindIndex(log, line => line.Contains($"error {errorId}"));
        Assert.True(at >= 0, $"error {errorId} is not in the lab's log");
        Assert.Contains(log.Skip(at).Take(3), line => line.Contains("JsonException"));
    }
}
