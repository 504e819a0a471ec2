namespace UniAD.Lab.Persistence;

/// <summary>Where a training run stands, written in batches while it trains (live pages get every step over the circuit).</summary>
public sealed class RunProgress
{
    public int Epoch { get; set; }
    public int TotalEpochs { get; set; }
    public int Step { get; set; }
    public int StepsPerEpoch { get; set; }
    public double? Loss { get; set; }
    public double? LearningRate { get; set; }
    public double? ImagesPerSecond { get; set; }
    public double? RemainingSeconds { get; set; }
}
