namespace UniAD.Lab.Workers;

/// <summary>A process that trains runs (a worker, or a lab with a training server of its own), as it registered itself
/// and last said it was alive.</summary>
public sealed class WorkerRecord
{
    /// <summary><c>host:pid</c>, unique while the process lives; what a run records as the worker that trained it.</summary>
    public required string Name { get; set; }
    public required string Host { get; set; }
    public int ProcessId { get; set; }
    /// <summary>The devices it trains on, each with its name and memory ("cuda:0 NVIDIA H200, 140 GB", "cpu, 2 cores, 24 GB").</summary>
    public List<string> Devices { get; set; } = [];
    public List<string> Queues { get; set; } = [];
    /// <summary>The lab code it runs (<see cref="Runs.CodeVersion"/>).</summary>
    public required string CodeVersion { get; set; }
    public DateTime StartedAt { get; set; }
    public DateTime LastHeartbeat { get; set; }
    /// <summary>An admin asked it to take no new run (a drain): the run it trains finishes, and it then idles until
    /// the drain is lifted or it is stopped.</summary>
    public bool Draining { get; set; }
    /// <summary>When it stopped on its own (a graceful stop); null while it runs or after it died.</summary>
    public DateTime? StoppedAt { get; set; }
}
