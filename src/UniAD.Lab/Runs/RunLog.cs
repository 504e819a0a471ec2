using System.Globalization;

namespace UniAD.Lab.Runs;

/// <summary>A run's own log, <c>run.log</c> in its folder: what the job did (start, feature extraction, each epoch,
/// the end and any error), readable while the run trains and kept with its results.</summary>
public static class RunLog
{
    public const string FileName = "run.log";

    public static void Append(string runFolder, string line)
    {
        Directory.CreateDirectory(runFolder);
        File.AppendAllText(Path.Combine(runFolder, FileName),
            $"{DateTime.UtcNow.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)}  {line}{Environment.NewLine}");
    }

    /// <summary>The last <paramref name="count"/> lines (none when the run has not started).</summary>
    public static IReadOnlyList<string> Tail(string runFolder, int count)
    {
        var path = Path.Combine(runFolder, FileName);
        if (!File.Exists(path)) return [];
        using var reader = new StreamReader(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite));
        var tail = new Queue<string>(count);
        for (string? line; (line = reader.ReadLine()) is not null;)
        {
            if (tail.Count == count) tail.Dequeue();
            tail.Enqueue(line);
        }
        return [.. tail];
    }
}
