using Spectre.Console;
using UniAD.Datasets;

namespace UniAD.Cli;

/// <summary>Prints a validation report: counts per category, then every error and warning with its file.</summary>
internal static class ValidationView
{
    private const int ShownPerSeverity = 30;

    public static void Print(ValidationReport report)
    {
        var table = new Table().Border(TableBorder.Rounded).Title($"layout: {report.Layout}")
            .AddColumns("category", "train", "test good", "test defect", "masks", "defect types", "image size");
        foreach (var c in report.Categories)
            table.AddRow(Markup.Escape(c.Category), $"{c.Train}", $"{c.TestNormal}", $"{c.TestAnomalous}", $"{c.Masks}",
                Markup.Escape(string.Join(", ", c.DefectTypes.Select(d => $"{d.Key} {d.Value}"))),
                string.Join(", ", c.ImageSizes) + (c.Grayscale ? " gray" : ""));
        AnsiConsole.Write(table);
        PrintProblems(report.Errors.ToList(), "red", "error");
        PrintProblems(report.Warnings.ToList(), "yellow", "warning");
        AnsiConsole.MarkupLineInterpolated($"{report.Errors.Count()} error(s), {report.Warnings.Count()} warning(s)");
    }

    private static void PrintProblems(IReadOnlyList<DatasetProblem> problems, string colour, string label)
    {
        foreach (var p in problems.Take(ShownPerSeverity))
            AnsiConsole.MarkupLineInterpolated($"[{colour}]{label}:[/] {p.Line}");
        if (problems.Count > ShownPerSeverity)
            AnsiConsole.MarkupLineInterpolated($"[{colour}]… and {problems.Count - ShownPerSeverity} more {label}s[/] (all of them are in the JSON report)");
    }
}
