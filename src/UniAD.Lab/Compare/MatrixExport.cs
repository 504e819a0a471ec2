using System.Globalization;
using System.Text;

namespace UniAD.Lab.Compare;

/// <summary>A metric matrix as files: CSV with every number at full precision (fractions, as stored: 0.975 is 97.5%), and a LaTeX
/// table (booktabs) ready for a paper, in percent with one decimal, mean ± std over seeds, the best of each column bold.</summary>
public static class MatrixExport
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <summary>One row per matrix row: the metric, label and run count, then mean, std and n for each category and the
    /// mean column, the mean column's delta to the baseline, and the two paired tests' p-values (empty where a value does
    /// not exist).</summary>
    public static string Csv(MetricMatrix matrix)
    {
        var columns = matrix.Categories.Append("mean").ToList();
        var header = new List<string> { "metric", "row", "runs" };
        foreach (var c in columns) header.AddRange([$"{c}_mean", $"{c}_std", $"{c}_n"]);
        header.AddRange(["mean_delta", "p_over_categories", "p_over_seeds"]);
        var csv = new StringBuilder().AppendLine(string.Join(',', header.Select(Quote)));
        foreach (var row in matrix.Rows)
        {
            var fields = new List<string> { matrix.Metric.Key(), Quote(row.Item.Label), row.Item.Runs.Count.ToString(Invariant) };
            foreach (var cell in row.Cells.Append(row.Mean))
                fields.AddRange([Number(cell.Summary?.Mean), Number(cell.Summary?.Std), cell.Summary?.Count.ToString(Invariant) ?? ""]);
            fields.AddRange([Number(row.Mean.Delta), Number(row.CategoryTest?.PValue), Number(row.SeedTest?.PValue)]);
            csv.AppendLine(string.Join(',', fields));
        }
        return csv.ToString();
    }

    public static string Latex(MetricMatrix matrix, string caption)
    {
        var columns = matrix.Categories.Append("Mean").ToList();
        var tex = new StringBuilder()
            .AppendLine($"% {Escape(caption)}: {matrix.Metric.Label()} (%), mean $\\pm$ std over seeds; best of each column in bold.")
            .AppendLine("% Needs \\usepackage{booktabs}.")
            .AppendLine($"\\begin{{tabular}}{{l{new string('r', columns.Count)}}}")
            .AppendLine("\\toprule")
            .AppendLine($"Variant & {string.Join(" & ", columns.Select(Escape))} \\\\")
            .AppendLine("\\midrule");
        for (int r = 0; r < matrix.Rows.Count; r++)
        {
            var row = matrix.Rows[r];
            var cells = row.Cells.Append(row.Mean).Select((cell, c) =>
            {
                if (cell.Summary is not { } s) return "--";
                string value = (100 * s.Mean).ToString("F1", Invariant);
                if (matrix.IsBest(r, c)) value = $"\\textbf{{{value}}}";
                return s.Std is double std ? $"{value} $\\pm$ {(100 * std).ToString("F1", Invariant)}" : value;
            });
            tex.AppendLine($"{Escape(row.Item.Label)} & {string.Join(" & ", cells)} \\\\");
        }
        return tex.AppendLine("\\bottomrule").AppendLine("\\end{tabular}").ToString();
    }

    private static string Number(double? value) => value?.ToString("R", Invariant) ?? "";

    private static string Quote(string field) => field.IndexOfAny([',', '"', '\n']) < 0 ? field : $"\"{field.Replace("\"", "\"\"")}\"";

    /// <summary>LaTeX's special characters, so category and variant names print as written.</summary>
    private static string Escape(string text) => string.Concat(text.Select(c => c switch
    {
        '\\' => "\\textbackslash{}",
        '~' => "\\textasciitilde{}",
        '^' => "\\textasciicircum{}",
        '&' or '%' or '$' or '#' or '_' or '{' or '}' => $"\\{c}",
        _ => c.ToString(),
    }));
}
