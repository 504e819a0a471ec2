using System.Globalization;

namespace UniAD.Lab.Web.Components.Shared;

/// <summary>Durations and sizes as the pages print them.</summary>
public static class Units
{
    public static string Duration(TimeSpan t) => t.TotalHours >= 1 ? $"{(int)t.TotalHours} h {t.Minutes} min"
        : t.TotalMinutes >= 1 ? $"{(int)t.TotalMinutes} min {t.Seconds} s" : $"{t.TotalSeconds.ToString("F1", CultureInfo.InvariantCulture)} s";

    public static string Bytes(long? bytes) => bytes is long b ? $"{(b / 1048576.0).ToString("F0", CultureInfo.InvariantCulture)} MiB" : "–";
}
