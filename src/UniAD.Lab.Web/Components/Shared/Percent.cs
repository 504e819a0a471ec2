using System.Globalization;

namespace UniAD.Lab.Web.Components.Shared;

/// <summary>Metrics are stored as fractions and shown as percentages with one decimal, as in the paper's tables.</summary>
public static class Percent
{
    public static string Of(double? value) => value is double v ? (100 * v).ToString("F1", CultureInfo.InvariantCulture) : "–";
}
