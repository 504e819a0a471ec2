namespace UniAD.Lab.Persistence;

/// <summary>Loss and learning rate at the end of one epoch.</summary>
public sealed class EpochRecord
{
    public int Id { get; set; }
    public int RunId { get; set; }
    public int Epoch { get; set; }
    public double Loss { get; set; }
    public double LearningRate { get; set; }
    public double Seconds { get; set; }
}
