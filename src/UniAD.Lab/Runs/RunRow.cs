using UniAD.Lab.Persistence;

namespace UniAD.Lab.Runs;

/// <summary>A run as a list shows it (the runs grid, the queue, the API's run list): who, what, where it stands and its
/// summary metrics, without its config, history or results.</summary>
public sealed record RunRow(int Id, string Name, RunStatus Status, int DatasetId, string Dataset, string Preset, string Ablation, int Seed,
    string Group, int? StudyId, string Queue, int Epoch, int TotalEpochs, string ImageScore, double? MeanImageAuroc, double? MeanPixelAuroc,
    double? MeanAupro, int? BestEpoch, double? BestPixelAuroc, IReadOnlyList<string> Tags, bool Archived, DateTimeOffset CreatedAt, string CreatedBy)
{
    public static RunRow Of(RunRecord r) => new(r.Id, r.Name, r.Status, r.DatasetId, r.Dataset?.Name ?? "", r.Request.Preset, r.Request.Ablation,
        r.Request.Seed, r.Group, r.StudyId, r.Request.Queue, r.Progress.Epoch, r.Progress.TotalEpochs, r.Summary.ImageScore, r.Summary.MeanImageAuroc,
        r.Summary.MeanPixelAuroc, r.Summary.MeanAupro, r.BestOnTest.Epoch, r.BestOnTest.PixelAuroc, r.Tags, r.Archived, r.CreatedAt, r.CreatedBy);
}
