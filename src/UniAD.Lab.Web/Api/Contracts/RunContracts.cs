using System.Text.Json;
using UniAD.Core.Interop;
using UniAD.Lab.Persistence;
using UniAD.Lab.Runs;

namespace UniAD.Lab.Web.Api.Contracts;

/// <summary>What the New run form asks, as JSON; anything left out takes the lab's default (the preset's epochs, batch
/// size, test interval and seed; <c>Lab:Device</c>; the training queue). <c>method</c> (Uniad or Patchcore) with no preset
/// starts from that method's preset.</summary>
public sealed record QueueRunsRequest(int? DatasetId = null, string? Name = null, string? Preset = null, string? Ablation = null, int? Epochs = null,
    int? BatchSize = null, int? EvaluateEvery = null, IReadOnlyList<int>? Seeds = null, IReadOnlyList<string>? Overrides = null,
    IReadOnlyList<string>? Categories = null, string? NormalClasses = null, string? Device = null, string? Queue = null,
    Core.Configuration.Method? Method = null)
{
    public RunSpec ToSpec() => new(DatasetId, Name, Preset, Ablation, Epochs, BatchSize, EvaluateEvery, Seeds, Overrides, Categories,
        NormalClasses is null ? null : RunSpec.NormalClassesOf(NormalClasses), Device, Queue, Method);
}

/// <summary>The runs one request queued, one per seed.</summary>
public sealed record QueuedRunsResponse(IReadOnlyList<int> Ids);

/// <summary>A page of runs, and how many the search and the archived switch let through in all.</summary>
public sealed record RunListResponse(int Total, IReadOnlyList<RunRow> Runs);

/// <summary>Which runs to cancel: these ids, every run of a group, or every run of a study (one of the three).</summary>
public sealed record CancelRunsRequest(IReadOnlyList<int>? Ids = null, string? Group = null, int? StudyId = null)
{
    public RunSelection ToSelection() => new(Ids, Group, StudyId);
}

/// <summary>How many runs a cancel stopped (runs that had already ended are left as they were).</summary>
public sealed record CancelledRunsResponse(int Cancelled);

/// <summary>One run: what was asked (its config in full), where it stands, its results and its record. The fields it
/// shares with a <see cref="RunRow"/> have the same names.</summary>
public sealed record RunResponse(
    int Id, string Name, RunStatus Status, string? Error, int DatasetId, string Dataset, string DatasetVersion, string Group, int? StudyId,
    string Variant, string Preset, string Ablation, int Seed, IReadOnlyList<string> Categories, IReadOnlyList<string> NormalClasses,
    string Device, string Queue, JsonElement Config,
    int Epoch, int TotalEpochs, int Step, int StepsPerEpoch, double? Loss, double? LearningRate, double? ImagesPerSecond, double? RemainingSeconds,
    string ImageScore, double? MeanImageAuroc, double? MeanPixelAuroc, double? MeanAupro, IReadOnlyList<string> Warnings,
    int? BestEpoch, double? BestImageAuroc, double? BestPixelAuroc, double? WallSeconds, long? PeakMemoryBytes, long? PeakGpuMemoryBytes,
    string CodeVersion, string Environment, string? ImportedFrom, string? ImportedSha256, string? Worker, IReadOnlyList<string> TrainedOn,
    IReadOnlyList<string> Tags, string Notes, bool Archived, DateTimeOffset CreatedAt, string CreatedBy, DateTimeOffset? StartedAt, DateTimeOffset? FinishedAt,
    IReadOnlyList<EpochResponse> History, IReadOnlyList<CategoryResultResponse> Results, IReadOnlyList<TestEvaluationResponse> Evaluations,
    IReadOnlyList<string> Files)
{
    public static RunResponse Of(RunDetail detail)
    {
        var r = detail.Run;
        var (request, progress, summary, best, cost, provenance) = (r.Request, r.Progress, r.Summary, r.BestOnTest, r.Cost, r.Provenance);
        return new(r.Id, r.Name, r.Status, r.Error, r.DatasetId, r.Dataset?.Name ?? "", r.Dataset?.Version ?? "", r.Group, r.StudyId, r.Variant,
            request.Preset, request.Ablation, request.Seed, request.Categories, request.NormalClasses, request.Device, request.Queue,
            JsonElement.Parse(request.ConfigJson),
            progress.Epoch, progress.TotalEpochs, progress.Step, progress.StepsPerEpoch, progress.Loss, progress.LearningRate, progress.ImagesPerSecond,
            progress.RemainingSeconds, summary.ImageScore, summary.MeanImageAuroc, summary.MeanPixelAuroc, summary.MeanAupro, summary.Warnings,
            best.Epoch, best.ImageAuroc, best.PixelAuroc, cost.WallSeconds, cost.PeakMemoryBytes, cost.PeakGpuMemoryBytes,
            provenance.CodeVersion, provenance.Environment, provenance.ImportedFrom, provenance.ImportedSha256, r.Worker, r.TrainedOn,
            r.Tags, r.Notes, r.Archived, r.CreatedAt, r.CreatedBy, r.StartedAt, r.FinishedAt,
            [.. r.History.Select(e => new EpochResponse(e.Epoch, e.Loss, e.LearningRate, e.Seconds))],
            [.. r.Results.Select(c => new CategoryResultResponse(c.Category, c.IsMean, c.TestImages, c.AnomalousImages, c.ImageAuroc, c.ImageAp,
                c.ImageF1Max, c.PixelAuroc, c.PixelAp, c.PixelF1Max, c.Aupro))],
            [.. r.Evaluations.Select(e => new TestEvaluationResponse(e.Epoch, e.Category, e.IsMean, e.ImageAuroc, e.PixelAuroc, e.PassThrough))],
            detail.Files);
    }
}

/// <summary>Loss and learning rate at the end of one epoch, and how long it took.</summary>
public sealed record EpochResponse(int Epoch, double Loss, double LearningRate, double Seconds);

/// <summary>One row of the results table: a category, or the mean row (<c>(mean)</c>).</summary>
public sealed record CategoryResultResponse(string Category, bool IsMean, int TestImages, int AnomalousImages, double? ImageAuroc, double? ImageAp,
    double? ImageF1Max, double? PixelAuroc, double? PixelAp, double? PixelF1Max, double? Aupro);

/// <summary>Test metrics after one epoch; the mean row carries the model's identity pass-through.</summary>
public sealed record TestEvaluationResponse(int Epoch, string Category, bool IsMean, double ImageAuroc, double? PixelAuroc, double? PassThrough);

/// <param name="CheckpointUpload">Upload id of the <c>ckpt.pth.tar</c> (<c>POST /api/uploads</c>).</param>
/// <param name="ConfigUpload">Upload id of its <c>config.yaml</c>.</param>
/// <param name="KeepBackbone">Keep the checkpoint's EfficientNet-B4 ImageNet weights for new runs.</param>
public sealed record ImportOfficialRequest(string CheckpointUpload, string ConfigUpload, int DatasetId, string Name,
    string CheckpointName = OfficialRun.ExportCheckpointFile, string ConfigName = OfficialRun.ExportConfigFile, bool KeepBackbone = false,
    string? Device = null, IReadOnlyList<string>? Categories = null);

/// <summary>The run an import queued.</summary>
public sealed record QueuedRunResponse(int Id);
