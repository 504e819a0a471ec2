using System.Globalization;
using Spectre.Console;
using UniAD.Core.Evaluation;
using UniAD.Core.Training;

namespace UniAD.Cli;

/// <summary>Prints the per-category results with the mean row (and each defect type), as percentages.</summary>
internal static class ResultsTable
{
    /// <summary>The defect types first, so the summary table ends the output.</summary>
    public static void Print(EvaluationReport report)
    {
        PrintDefectTypes(report);
        var table = new Table().Border(TableBorder.Rounded)
            .Title($"image score: {report.ImageScore}")
            .AddColumns("category", "test (anom.)", "img AUROC", "img AP", "img F1", "px AUROC", "px AP", "px F1", "AUPRO");
        foreach (var row in report.Categories) table.AddRow(Cells(row));
        table.AddEmptyRow();
        table.AddRow(Cells(report.Mean).Select(c => $"[bold]{c}[/]").ToArray());
        AnsiConsole.Write(table);
        foreach (var warning in report.Warnings) AnsiConsole.MarkupLineInterpolated($"[yellow]warning:[/] {warning}");
    }

    /// <summary>Each defect type against its category's normal images: which defects the model finds and which it misses.</summary>
    private static void PrintDefectTypes(EvaluationReport report)
    {
        if (report.DefectTypes is not { Count: > 0 } types) return;
        var table = new Table().Border(TableBorder.Rounded).Title("per defect type (against the category's normal images)")
            .AddColumns("category", "defect type", "images", "img AUROC", "px AUROC");
        foreach (var row in types)
            table.AddRow(Markup.Escape(row.Category), Markup.Escape(row.DefectType), $"{row.Images}", Percent(row.ImageAuroc), Percent(row.PixelAuroc));
        AnsiConsole.Write(table);
    }

    /// <summary>The official code reports the checkpoint with the best test metric; this line puts it beside the last
    /// epoch's results (the table) and says that it was chosen on the test set.</summary>
    public static void PrintBestOnTest(IReadOnlyList<TestEvaluation> evaluations)
    {
        if (TestEvaluation.BestOnTest(evaluations) is not { } best || best == evaluations[^1]) return;   // nothing chosen but the last
        AnsiConsole.MarkupLineInterpolated(
            $"best on test: epoch {best.Epoch} of {evaluations.Count} evaluated, image AUROC {Percent(best.Mean.ImageAuroc)}, pixel AUROC {Percent(best.Mean.PixelAuroc)} [dim](selected on the test set, as the official ckpt_best: optimistic; the table shows the last epoch, {evaluations[^1].Epoch})[/]");
    }

    private static string[] Cells(CategoryMetrics r) =>
    [
        Markup.Escape(r.Category), $"{r.TestImages} ({r.AnomalousImages})",
        Percent(r.ImageAuroc), Percent(r.ImageAp), Percent(r.ImageF1Max),
        Percent(r.PixelAuroc), Percent(r.PixelAp), Percent(r.PixelF1Max), Percent(r.Aupro),
    ];

    public static string Percent(double? value) =>
        value is double v ? (100 * v).ToString("F1", CultureInfo.InvariantCulture) : "-";
}
