using Microsoft.Extensions.DependencyInjection;
using MudBlazor.Services;
using Plotly.Blazor.Traces;
using UniAD.Datasets;
using UniAD.Lab.Persistence;
using UniAD.Lab.Runs;
using UniAD.Lab.Web.Components.Pages.Runs;
using UniAD.Lab.Web.Components.Shared;

namespace UniAD.Lab.Web.Tests;

/// <summary>The components with logic, rendered by bUnit with MudBlazor's real services (JavaScript calls are
/// answered loosely: charts are checked by the data they are given).</summary>
public sealed class ComponentTests : BunitContext
{
    public ComponentTests()
    {
        Services.AddMudServices();
        JSInterop.Mode = JSRuntimeMode.Loose;
    }

    [Fact]
    public void AValidationReportListsCountsAndEveryProblemWithItsFile()
    {
        var report = new ValidationReport("mvtec",
            [new CategoryCounts("screw", 3, 2, 4, 4, new Dictionary<string, int> { ["thread"] = 4 }, ["1024x1024"], Grayscale: true)],
            [new DatasetProblem(ProblemKind.Truncated, "screw/train/good/001.png", "truncated image"),
             new DatasetProblem(ProblemKind.DefectWithoutMask, "screw/test/thread/003.png", "defect image without a ground-truth mask")]);

        var cut = Render<ValidationReportView>(p => p.Add(c => c.Report, report));

        Assert.Contains("1024x1024 gray", cut.Find("[data-testid=validation-counts]").TextContent);
        Assert.Contains("thread 4", cut.Markup);
        Assert.Equal("1 error(s), 1 warning(s)", cut.Find("[data-testid=validation-summary]").TextContent.Trim());
        var lines = cut.FindAll("p.mud-error-text, p.mud-warning-text").Select(p => p.TextContent).ToList();
        Assert.Contains(lines, l => l.Contains("error") && l.Contains("screw/train/good/001.png") && l.Contains("truncated image"));
        Assert.Contains(lines, l => l.Contains("warning") && l.Contains("screw/test/thread/003.png"));
    }

    [Fact]
    public void ResultsShowPercentagesWithTheMeanRowLastAndChartTheCategoriesOnly()
    {
        CategoryResult[] results =
        [
            new() { Category = "fabric", TestImages = 6, AnomalousImages = 4, ImageAuroc = 0.9876, PixelAuroc = 0.5 },
            new() { Category = "nut", TestImages = 5, AnomalousImages = 3, ImageAuroc = 0.25, PixelAuroc = null },
            new() { Category = CategoryResult.MeanRow, IsMean = true, TestImages = 11, AnomalousImages = 7, ImageAuroc = 0.6188 },
        ];

        var cut = Render<CategoryResultsView>(p => p.Add(c => c.Results, results).Add(c => c.ImageScore, "mean"));

        var rows = cut.FindAll("[data-testid=results-table] tbody tr").Select(r => r.TextContent).ToList();
        Assert.Equal(3, rows.Count);
        Assert.Contains("98.8", rows[0]);
        Assert.Contains("–", rows[1]);                                     // no pixel AUROC: a dash, not 0
        Assert.StartsWith(CategoryResult.MeanRow, rows[2].Trim());
        var imageBars = Assert.IsType<Bar>(cut.Instance.Bars[0]);
        Assert.Equal(["fabric", "nut"], imageBars.X);
        Close.Equal([98.76, 25.0], imageBars.Y, 1e-9);
    }

    [Fact]
    public void TheLossChartPlotsEveryEpochAndTheLearningRateOnItsOwnAxis()
    {
        EpochRecord[] history = [new() { Epoch = 1, Loss = 0.9, LearningRate = 1e-4 }, new() { Epoch = 2, Loss = 0.5, LearningRate = 1e-5 }];

        var cut = Render<LossChart>(p => p.Add(c => c.History, history));

        var (loss, rate) = (Assert.IsType<Scatter>(cut.Instance.Traces[0]), Assert.IsType<Scatter>(cut.Instance.Traces[1]));
        Assert.Equal(new object[] { 1, 2 }, loss.X);
        Assert.Equal(new object[] { 0.9, 0.5 }, loss.Y);
        Assert.Equal("y2", rate.YAxis);
        Assert.Equal(new object[] { 1e-4, 1e-5 }, rate.Y);
    }

    [Theory]
    [InlineData(RunStatus.Queued, false, "Waiting for a worker")]
    [InlineData(RunStatus.Running, true, "epoch 2 / 4 · step 5 / 10 · loss 0.1235 · 12.5 img/s · ETA 00:01:30")]
    public void ProgressShowsWhereARunStands(RunStatus status, bool live, string expected)
    {
        var run = new RunRecord { Id = 7, Name = "r", Request = new() { ConfigJson = "{}" }, Status = status };
        var events = new RunEvents();
        Services.AddSingleton(events);

        var cut = Render<RunProgressView>(p => p.Add(c => c.Run, run));
        if (live) events.Report(run.Id, new LiveProgress("training", 2, 4, 5, 10, 0.12345, 1e-4, 12.5, TimeSpan.FromSeconds(90)));   // it follows the step itself

        cut.WaitForAssertion(() => Assert.Contains(expected, System.Text.RegularExpressions.Regex.Replace(cut.Find("[data-testid=run-progress]").TextContent, @"\s+", " ")));
        if (live) Assert.Contains("aria-valuenow=\"37.5\"", cut.Markup);     // (1 epoch × 10 + 5 steps) of 40
    }

    private static RunRecord RunEvaluatedAt(int bestEpoch, params (int Epoch, double Image, double Pixel)[] means) => new()
    {
        Name = "r", Request = new() { ConfigJson = "{}" }, Progress = new() { TotalEpochs = means[^1].Epoch }, BestOnTest = new() { Epoch = bestEpoch },
        Evaluations = [.. means.SelectMany(m => new[]
        {
            new TestEvaluationRecord { Epoch = m.Epoch, Category = "nut", ImageAuroc = m.Image - 0.1, PixelAuroc = m.Pixel - 0.1 },
            new TestEvaluationRecord { Epoch = m.Epoch, Category = CategoryResult.MeanRow, IsMean = true, ImageAuroc = m.Image, PixelAuroc = m.Pixel, PassThrough = m.Epoch / 100.0 },
        })],
    };

    [Fact]
    public void TheBestOnTestEpochIsShownBesideTheLastAndFlaggedAsChosenOnTheTestSet()
    {
        var run = RunEvaluatedAt(10, (10, 0.9, 0.95), (20, 0.8, 0.93));

        var cut = Render<BestOnTestView>(p => p.Add(c => c.Run, run));

        Assert.Contains("selected on the test set", cut.Find("[data-testid=best-on-test]").TextContent);
        var rows = cut.FindAll("[data-testid=best-on-test] tbody tr").Select(r => r.TextContent).ToList();
        Assert.Equal(2, rows.Count);
        Assert.Matches(@"\(mean\)\s*80\.0\s*90\.0\s*93\.0\s*95\.0", rows[1]);       // last, then best on test

        var lastIsBest = RunEvaluatedAt(20, (10, 0.8, 0.9), (20, 0.9, 0.95));
        Assert.Empty(Render<BestOnTestView>(p => p.Add(c => c.Run, lastIsBest)).FindAll("[data-testid=best-on-test]"));
    }

    [Fact]
    public void TheTestMetricsChartDrawsTheMeansEachCategoryOnDemandAndMarksTheBestEpoch()
    {
        var run = RunEvaluatedAt(10, (10, 0.9, 0.95), (20, 0.8, 0.93));

        var cut = Render<TestMetricsChart>(p => p.Add(c => c.Evaluations, run.Evaluations).Add(c => c.BestEpoch, run.BestOnTest.Epoch));

        var traces = cut.Instance.Traces.Cast<Scatter>().ToList();
        Assert.Equal(["mean image AUROC", "mean pixel AUROC", "nut: image AUROC", "identity pass-through (right)", "best on test (selected on the test set)"],
            traces.Select(t => t.Name));
        Assert.Equal(new object[] { 0.1, 0.2 }, traces[3].Y);
        Assert.Equal("y2", traces[3].YAxis);
        Close.Equal([90.0, 80.0], traces[0].Y, 1e-9);
        Assert.Equal(Plotly.Blazor.Traces.ScatterLib.VisibleEnum.LegendOnly, traces[2].Visible);
        Assert.Equal([10], traces[4].X.Cast<int>());
        Assert.Equal(95.0, (double)traces[4].Y.Single(), 1e-9);
    }
}

public class RocChartTests
{
    [Fact]
    public void EachCategoryWithBothKindsOfImagesGetsACurveFromOriginToOneOne()
    {
        GalleryTile[] tiles =
        [
            new(0, "a/good/0", "a", "good", false, 0.1f), new(1, "a/cut/0", "a", "cut", true, 0.9f), new(2, "a/cut/1", "a", "cut", true, 0.05f),
            new(3, "b/good/0", "b", "good", false, 0.3f),                     // no anomalies: no curve
        ];
        var curve = Assert.IsType<Scatter>(Assert.Single(RocChart.CurvesOf(tiles)));
        Assert.Equal("a (50.0)", curve.Name);
        Close.Equal([0.0, 0.0, 1.0, 1.0], [curve.X[0], curve.Y[0], curve.X[^1], curve.Y[^1]], 1e-15);
    }
}
