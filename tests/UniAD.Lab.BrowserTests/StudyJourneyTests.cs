using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Data.Sqlite;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace UniAD.Lab.BrowserTests;

/// <summary>A team's ablation, in Debian's chromium against the real lab: a 2-variant × 2-seed study on a tiny dataset built
/// in the New study form, followed to the end, its matrix read and exported as CSV and LaTeX (and checked against the
/// lab's SQLite file), its variants compared, the compare link opened in a fresh browser, and two runs' heatmaps side by
/// side. Screenshots go to <c>artifacts/screenshots/</c>.</summary>
public sealed class StudyJourneyTests : LabPageTest
{
    [Fact]
    public async Task AStudyTrainsItsVariantsAndItsMatrixExportsWhatTheDatabaseHolds()
    {
        try
        {
            await TinyLabData.ImportAsync(Lab);

            // New study: the tiny config as base overrides, full vs no jitter, seeds 1 and 2.
            await Page.GotoAsync($"{Lab.Url}/studies/new");
            await Page.GetByTestId("study-name").FillAsync("jitter ablation");
            await Page.GetByTestId("run-epochs").FillAsync("2");
            await Page.GetByTestId("run-evaluate-every").FillAsync("1");
            await Page.GetByTestId("run-seeds").FillAsync("1, 2");
            await Page.GetByTestId("run-overrides").FillAsync(string.Join('\n', TinyLabData.Overrides));
            await Page.GetByTestId("variant-name").Nth(1).FillAsync("no jitter");
            await Page.GetByTestId("variant-overrides").Nth(1).FillAsync("model.feature_jitter.enabled=false");
            await Expect(Page.GetByTestId("study-problem")).ToHaveCountAsync(0);
            await Expect(Page.GetByTestId("queue-study")).ToContainTextAsync("Queue 4 runs");
            await Screenshot("new-study");
            await Page.GetByTestId("queue-study").ClickAsync();

            // The study page follows its runs live to the end.
            await Page.WaitForURLAsync(new Regex(@"/studies/\d+$"));
            int studyId = int.Parse(Page.Url.Split('/')[^1], CultureInfo.InvariantCulture);
            await Expect(Page.GetByTestId("study-progress")).ToContainTextAsync("4 of 4 runs finished", new() { Timeout = 600_000 });
            await Expect(Page.GetByTestId("matrix-row")).ToHaveCountAsync(2);
            await Expect(Page.GetByTestId("metric-matrix")).ToContainTextAsync("baseline");
            await Expect(Page.GetByTestId("matrix-legend")).ToContainTextAsync("Wilcoxon signed-rank");
            await Screenshot("study-matrix");

            // The exports hold the database's numbers: each cell is the mean (and sample std) of the runs' stored values.
            var stored = StoredResults(studyId);
            var csv = await DownloadAsync("export-csv");
            var header = csv[0].Split(',');
            foreach (var line in csv.Skip(1))
            {
                var fields = line.Split(',');
                var variant = fields[Array.IndexOf(header, "row")];
                foreach (var category in stored.Select(s => s.Category).Distinct())
                {
                    var values = stored.Where(s => s.Variant == variant && s.Category == category).Select(s => s.ImageAuroc).ToList();
                    Assert.Equal(2, values.Count);
                    Assert.Equal(values.Average(), Number(fields[Array.IndexOf(header, $"{category}_mean")]), 1e-12);
                    Assert.Equal(SampleStd(values), Number(fields[Array.IndexOf(header, $"{category}_std")]), 1e-12);
                }
            }
            var latex = string.Join('\n', await DownloadAsync("export-latex"));
            Assert.Contains("\\toprule", latex);
            foreach (var variant in new[] { "full", "no jitter" })
            {
                var row = latex.Split('\n').Single(l => l.StartsWith(variant + " &"));
                var printed = Regex.Matches(row, @"(\d+\.\d)\}? \$\\pm\$").Select(m => Number(m.Groups[1].Value)).ToList();
                var categories = stored.Select(s => s.Category).Distinct().Order(StringComparer.Ordinal).ToList();
                Assert.Equal(categories.Count + 1, printed.Count);                         // each category, then the mean
                for (int c = 0; c < categories.Count; c++)
                    Assert.Equal(100 * stored.Where(s => s.Variant == variant && s.Category == categories[c]).Average(s => s.ImageAuroc), printed[c], 0.05 + 1e-9);
            }

            // Compare the variants, then open the same link in a fresh browser: the same selection.
            await Page.GetByTestId("study-compare").ClickAsync();
            await Page.WaitForURLAsync("**/compare?**");
            await Expect(Page.GetByTestId("compare-item")).ToHaveCountAsync(2);
            await Expect(Page.GetByTestId("compare-chart").Locator("svg.main-svg").First).ToBeVisibleAsync();
            await Expect(Page.GetByTestId("config-diff")).ToContainTextAsync("model.feature_jitter.enabled");
            var link = Page.Url;
            var items = await Page.GetByTestId("compare-item").AllInnerTextsAsync();
            var cells = await Page.GetByTestId("matrix-cell").AllInnerTextsAsync();
            await Screenshot("compare");
            var fresh = await Browser.NewPageAsync();
            await fresh.GotoAsync(link);
            await Expect(fresh.GetByTestId("compare-item")).ToHaveCountAsync(2);
            Assert.Equal(items, await fresh.GetByTestId("compare-item").AllInnerTextsAsync());
            await Expect(fresh.GetByTestId("matrix-cell")).ToHaveCountAsync(cells.Count);
            Assert.Equal(cells, await fresh.GetByTestId("matrix-cell").AllInnerTextsAsync());

            // Two single runs: where they disagree, and their heatmaps side by side with the difference map.
            var runs = stored.Select(s => (s.RunId, s.Variant)).Distinct().ToList();
            int a = runs.First(r => r.Variant == "full").RunId, b = runs.First(r => r.Variant == "no jitter").RunId;
            await fresh.GotoAsync($"{Lab.Url}/compare?runs={a},{b}");
            await Expect(fresh.GetByTestId("disagreements")).ToBeVisibleAsync();
            await fresh.GetByTestId("open-heatmaps").ClickAsync();
            await fresh.WaitForURLAsync("**/compare/heatmaps?**");
            await Expect(fresh.GetByTestId("compare-heatmap")).ToHaveCountAsync(2);
            await fresh.WaitForFunctionAsync("() => [...document.querySelectorAll('[data-testid=compare-heatmap] img, [data-testid=difference-map] img')].every(i => i.complete && i.naturalWidth > 0)");
            await LabBrowser.ScreenshotAsync(fresh, "heatmaps-compare");
        }
        catch (Exception e) { throw Lab.Explain(e); }                 // with the lab's log: the lab is gone afterwards
    }

    /// <summary>Each study run's per-category image AUROC, straight from the lab's SQLite file.</summary>
    private List<(int RunId, string Variant, string Category, double ImageAuroc)> StoredResults(int studyId)
    {
        using var db = new SqliteConnection($"Data Source={Path.Combine(Lab.DataRoot, "lab.db")};Mode=ReadOnly");
        db.Open();
        using var query = db.CreateCommand();
        query.CommandText = "SELECT r.Id, r.Variant, c.Category, c.ImageAuroc FROM Runs r JOIN CategoryResults c ON c.RunId = r.Id " +
                            "WHERE r.StudyId = $study AND c.IsMean = 0";
        query.Parameters.AddWithValue("$study", studyId);
        var rows = new List<(int, string, string, double)>();
        using var reader = query.ExecuteReader();
        while (reader.Read()) rows.Add((reader.GetInt32(0), reader.GetString(1), reader.GetString(2), reader.GetDouble(3)));
        return rows;
    }

    private async Task<string[]> DownloadAsync(string button)
    {
        var href = await Page.GetByTestId(button).GetAttributeAsync("href");
        var response = await Page.APIRequest.GetAsync(new Uri(new Uri(Lab.Url), href).ToString());
        Assert.True(response.Ok, $"{href}: {response.Status}");
        return (await response.TextAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }

    private static double Number(string text) => double.Parse(text, CultureInfo.InvariantCulture);

    private static double SampleStd(IReadOnlyList<double> v) => Math.Sqrt(v.Sum(x => (x - v.Average()) * (x - v.Average())) / (v.Count - 1));

    private Task Screenshot(string name) => LabBrowser.ScreenshotAsync(Page, name);
}
