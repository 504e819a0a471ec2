using Microsoft.AspNetCore.Http.HttpResults;
using UniAD.Core;
using UniAD.Lab.Compare;

namespace UniAD.Lab.Web.Api;

/// <summary>A metric matrix as text, in the format a request asks for: CSV (every number at full precision, fractions) or
/// a LaTeX table (booktabs, percent). JSON is each endpoint's own response record.</summary>
public static class MatrixFormats
{
    public static bool IsJson(string? format) => format is null or "json";

    public static ContentHttpResult Text(MetricMatrix matrix, string format, string caption) => format switch
    {
        "csv" => TypedResults.Text(MatrixExport.Csv(matrix), "text/csv"),
        "latex" => TypedResults.Text(MatrixExport.Latex(matrix, caption), "application/x-latex"),
        _ => throw new UserException($"unknown format '{format}'; known: json, csv, latex"),
    };
}
