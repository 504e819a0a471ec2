using System.Globalization;
using Spectre.Console;
using UniAD.Core.Evaluation;

namespace UniAD.Cli;

/// <summary>Prints the per-category results with the mean row, as percentages.</summary>
internal static class ResultsTable
{
    public static void Print(EvaluationReport report)
    {
        var table = new Table().Border(TableBorder.Rounded)
            .Title($"image score: {report.ImageScore}")
            .AddColumns("category", "test (anom.)", "img AUROC", "img AP", "img F1", "px AUROC", "px AP", "px F1", "AUPRO");
        foreach (var row in report.Categories) table.AddRow(Cells(row));
        table.AddEmptyRow();
        table.AddRow(Cells(report.Mean).Select(c => $"[bold]{c}[/]").ToArray());
        AnsiConsole.Write(table);
        foreach (var warning in report.Warnings) AnsiConsole.MarkupLineInterpolated($"[yellow]warning:[/] {warning}");
    }

    private static string[] Cells(CategoryMetrics r) =>
    [
        Markup.Escape(r.Category), $"{r.TestImages} ({r.AnomalousImages})",
        Percent(r.ImageAuroc), Percent(r.ImageAp), Percent(r.ImageF1Max),
        Percent(r.PixelAuroc), Percent(r.PixelAp), Percent(r.PixelF1Max), Percent(r.Aupro),
    ];

    private static string Percent(double? value) =>
        value is double v ? (100 * v).ToString("F1", CultureInfo.InvariantCulture) : "-";
}
