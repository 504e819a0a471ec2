using System.Globalization;
using System.Text;
using System.Text.Json;
using UniAD.Core.Configuration;
using UniAD.Core.Training;

namespace UniAD.Core.Evaluation;

/// <summary>Writes an evaluation report as JSON (everything) and CSV (one row per category plus the mean).</summary>
public static class ReportFiles
{
    public static void WriteJson(string path, EvaluationReport report) =>
        File.WriteAllText(path, JsonSerializer.Serialize(report, UniadConfig.Json));

    public static EvaluationReport ReadJson(string path) =>
        JsonSerializer.Deserialize<EvaluationReport>(File.ReadAllText(path), UniadConfig.Json)
        ?? throw new InvalidDataException($"empty results file: {path}");

    private const string MetricColumns = "category,test_images,anomalous_images,image_auroc,image_ap,image_f1_max,pixel_auroc,pixel_ap,pixel_f1_max,aupro";

    public static void WriteCsv(string path, EvaluationReport report)
    {
        var csv = new StringBuilder(MetricColumns + ",image_score\n");
        foreach (var row in report.Categories.Append(report.Mean))
            csv.AppendLine(Row(row) + "," + Quote(report.ImageScore));
        File.WriteAllText(path, csv.ToString());
    }

    /// <summary>One row per (category, defect type); nothing when the report has no defect-type breakdown.</summary>
    public static void WriteDefectTypesCsv(string path, EvaluationReport report)
    {
        if (report.DefectTypes is null) return;
        var csv = new StringBuilder("category,defect_type,images,image_auroc,pixel_auroc\n");
        foreach (var row in report.DefectTypes)
            csv.AppendLine(string.Join(',', Quote(row.Category), Quote(row.DefectType), row.Images, Number(row.ImageAuroc), Number(row.PixelAuroc)));
        File.WriteAllText(path, csv.ToString());
    }

    /// <summary>The test-set evaluations of one run, one row per (epoch, category) plus each epoch's mean row, which also
    /// holds the identity pass-through (a property of the model, not of a category).</summary>
    public static void WriteEvaluationsCsv(string path, IEnumerable<TestEvaluation> evaluations)
    {
        var csv = new StringBuilder("epoch," + MetricColumns + ",pass_through\n");
        foreach (var evaluation in evaluations)
        {
            foreach (var row in evaluation.Categories)
                csv.AppendLine(evaluation.Epoch.ToString(CultureInfo.InvariantCulture) + "," + Row(row) + ",");
            csv.AppendLine(evaluation.Epoch.ToString(CultureInfo.InvariantCulture) + "," + Row(evaluation.Mean) + "," + Number(evaluation.PassThrough));
        }
        File.WriteAllText(path, csv.ToString());
    }

    private static string Row(CategoryMetrics row) => string.Join(',', Quote(row.Category), row.TestImages, row.AnomalousImages,
        Number(row.ImageAuroc), Number(row.ImageAp), Number(row.ImageF1Max),
        Number(row.PixelAuroc), Number(row.PixelAp), Number(row.PixelF1Max), Number(row.Aupro));

    private static string Number(double? value) => value?.ToString("R", CultureInfo.InvariantCulture) ?? "";

    private static string Quote(string text) => text.Contains(',') || text.Contains('"') ? $"\"{text.Replace("\"", "\"\"")}\"" : text;
}
