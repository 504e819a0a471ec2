namespace UniAD.Lab.Persistence;

/// <summary>What a training run used at one moment: CPU of the training process (100 = one core busy), its resident
/// memory, and on CUDA the device's utilisation and memory in use.</summary>
public sealed class ResourceSample
{
    public int Id { get; set; }
    public int RunId { get; set; }
    /// <summary>Seconds of training-job time since the run first started (continues across a resume).</summary>
    public double Seconds { get; set; }
    public double CpuPercent { get; set; }
    public long MemoryBytes { get; set; }
    public double? GpuUtilizationPercent { get; set; }
    public long? GpuMemoryBytes { get; set; }
}
