namespace UniAD.Core;

/// <summary>Places where a crash would hurt most (a checkpoint half-written, a dataset half-copied), at which the fault
/// suite (tests/UniAD.Lab.FaultTests) holds the process still so that it can kill it exactly there instead of by luck.
/// <c>UNIAD_FAULT_PAUSE=checkpoint-write@2</c> stops the process for good the second time it reaches that point, after
/// writing <c>fault point checkpoint-write reached</c> to standard error. Unset, as everywhere but in that suite, a point
/// is one dictionary lookup.</summary>
public static class FaultPoints
{
    public const string Variable = "UNIAD_FAULT_PAUSE";
    public const string CheckpointWrite = "checkpoint-write", DatasetImport = "dataset-import";

    /// <summary>Each paused point and the visit it pauses at (1 when not given).</summary>
    private static readonly Dictionary<string, int> Paused = (Environment.GetEnvironmentVariable(Variable) ?? "")
        .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
        .Select(p => p.Split('@'))
        .ToDictionary(p => p[0], p => p.Length > 1 ? int.Parse(p[1], System.Globalization.CultureInfo.InvariantCulture) : 1);

    private static readonly Dictionary<string, int> Visits = [];

    public static void Reach(string point)
    {
        if (Paused.Count == 0 || !Paused.TryGetValue(point, out int pauseAt)) return;
        lock (Visits)
        {
            Visits[point] = Visits.GetValueOrDefault(point) + 1;
            if (Visits[point] != pauseAt) return;
        }
        Console.Error.WriteLine(ReachedLine(point));
        Thread.Sleep(Timeout.Infinite);
    }

    /// <summary>The line a paused process writes, for the test that waits for it.</summary>
    public static string ReachedLine(string point) => $"fault point {point} reached";
}
