namespace UniAD.Core.Training;

/// <summary>Reported after every optimisation step.</summary>
public sealed record TrainingProgress(
    int Epoch, int Epochs, int Step, int StepsPerEpoch, long GlobalStep,
    double Loss, double LearningRate, double ImagesPerSecond, TimeSpan Elapsed, TimeSpan? Remaining);

/// <summary>One finished epoch (Epoch is 1-based).</summary>
public sealed record EpochSummary(int Epoch, double MeanLoss, double LearningRate, double Seconds);
