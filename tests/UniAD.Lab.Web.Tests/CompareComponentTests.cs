using Microsoft.Extensions.DependencyInjection;
using MudBlazor.Services;
using Plotly.Blazor.Traces;
using UniAD.Lab.Compare;
using UniAD.Lab.Persistence;
using UniAD.Lab.Web.Components.Pages.Compare;
using UniAD.Lab.Web.Components.Shared;

namespace UniAD.Lab.Web.Tests;

/// <summary>The compare view's table and chart, rendered by bUnit from a matrix built on fixed values.</summary>
public sealed class CompareComponentTests : BunitContext, IAsyncLifetime
{
    public Task InitializeAsync() => Task.CompletedTask;

    /// <summary>MudBlazor's chips hold services that only dispose asynchronously.</summary>
    Task IAsyncLifetime.DisposeAsync() => DisposeAsync().AsTask();

    public CompareComponentTests()
    {
        Services.AddMudServices();
        JSInterop.Mode = JSRuntimeMode.Loose;
    }

    /// <summary>Two items over six seeds: "better" beats the baseline on fabric in every seed, loses on nut in some.</summary>
    private static MetricMatrix Matrix()
    {
        RunRecord Run(int id, int seed, double fabric, double nut) => new()
        {
            Id = id, Name = $"r{id}", Request = new() { Seed = seed, ConfigJson = "{}" }, Status = RunStatus.Finished,
            Results = [new() { Category = "fabric", ImageAuroc = fabric }, new() { Category = "nut", ImageAuroc = nut }],
        };
        var baseline = new CompareItem("baseline", [.. Enumerable.Range(1, 6).Select(s => Run(s, s, 0.80 + 0.01 * s, 0.90))]);
        var better = new CompareItem("better", [.. Enumerable.Range(1, 6).Select(s => Run(10 + s, s, 0.90 + 0.01 * s, s % 2 == 0 ? 0.91 : 0.88))]);
        return MetricMatrix.Build([baseline, better], Metric.ImageAuroc, baseline: 0);
    }

    [Fact]
    public void TheTableMarksTheBestShowsDeltasColoursSignificanceAndSorts()
    {
        var cut = Render<MetricMatrixTable>(p => p.Add(c => c.Matrix, Matrix()));

        var rows = cut.FindAll("[data-testid=matrix-row]");
        Assert.Equal(["baseline", "better"], rows.Select(r => r.QuerySelector("b")!.TextContent));
        var fabric = rows[1].QuerySelectorAll("[data-testid=matrix-cell]")[0];
        Assert.Contains("93.5 ± 1.9", fabric.TextContent);
        Assert.Contains("Δ +10.0", fabric.TextContent);
        Assert.Contains("font-weight: bold", fabric.InnerHtml);                             // the best in its column
        Assert.Contains("rgba(46, 125, 50, 0.35)", fabric.GetAttribute("style"));           // above, p = 1/32 over six seeds
        Assert.Contains("seed 3 (run #13): 93.0", fabric.GetAttribute("title"));
        var nut = rows[1].QuerySelectorAll("[data-testid=matrix-cell]")[1];
        Assert.Contains("rgba(198, 40, 40, 0.10)", nut.GetAttribute("style"));              // below, not significant
        Assert.Contains("p = 1.000 (2 categories)", rows[1].TextContent);
        Assert.Contains("at least 5 seeds", cut.Find("[data-testid=matrix-legend]").TextContent);

        cut.FindAll("th")[2].Click();                                                       // nut, highest first
        Assert.Equal(["baseline", "better"], cut.FindAll("[data-testid=matrix-row]").Select(r => r.QuerySelector("b")!.TextContent));
        cut.FindAll("th")[1].Click();                                                       // fabric, highest first
        Assert.Equal(["better", "baseline"], cut.FindAll("[data-testid=matrix-row]").Select(r => r.QuerySelector("b")!.TextContent));
    }

    [Fact]
    public void TheChartHasABarPerItemWithItsSpreadAndEverySeedAsAPoint()
    {
        var matrix = Matrix();
        var cut = Render<CompareBarChart>(p => p.Add(c => c.Matrix, matrix).Add(c => c.Name, r => matrix.Rows[r].Item.Label + " (unified)"));

        var bars = cut.Instance.Traces.OfType<Bar>().ToList();
        Assert.Equal(["baseline (unified)", "better (unified)"], bars.Select(b => b.Name));
        Assert.Equal(["fabric", "nut", "mean"], bars[1].X);
        Close.Equal([100 * matrix.Rows[1].Cells[0].Summary!.Mean, 100 * matrix.Rows[1].Cells[1].Summary!.Mean, 100 * matrix.Rows[1].Mean.Summary!.Mean], bars[1].Y, 1e-9);
        Close.Equal([100 * matrix.Rows[1].Cells[0].Summary!.Std!.Value], bars[1].ErrorY.Array.Take(1), 1e-9);
        var points = cut.Instance.Traces.OfType<Scatter>().ToList();
        Assert.Equal(2, points.Count);
        Assert.Equal(3 * 6, points[1].Y.Count);                                            // six seeds in each of three columns
        Assert.Equal(bars[1].OffsetGroup, points[1].OffsetGroup);                            // drawn on their own bar
    }
}
