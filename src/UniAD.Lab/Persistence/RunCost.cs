namespace UniAD.Lab.Persistence;

/// <summary>What a run cost.</summary>
public sealed class RunCost
{
    /// <summary>Time the training job ran, summed over its executions (a resumed run adds its second part); waiting in
    /// the queue and a paused run's idle time are not counted.</summary>
    public double? WallSeconds { get; set; }
    /// <summary>Largest resident memory of the training process and GPU memory in use on the device, over the run's
    /// resource samples.</summary>
    public long? PeakMemoryBytes { get; set; }
    public long? PeakGpuMemoryBytes { get; set; }
}
