namespace UniAD.Lab.Persistence;

/// <summary>A stored dataset version (its files live in the dataset store; this row makes it queryable).</summary>
public sealed class DatasetRecord
{
    public int Id { get; set; }
    public required string Name { get; set; }
    public required string Version { get; set; }
    public required string Layout { get; set; }
    public required string Folder { get; set; }
    public int Categories { get; set; }
    public int TrainImages { get; set; }
    public int TestImages { get; set; }
    public long Bytes { get; set; }
    public int Warnings { get; set; }
    public DateTime CreatedAt { get; set; }
    public string CreatedBy { get; set; } = "";
    public string Source { get; set; } = "";
    public string ShortVersion => Version[..12];
}

public enum RunStatus { Queued, Running, Finished, Failed, Cancelled }

/// <summary>One training run: what was asked (config, dataset version, seed), where it stands, and its summary.</summary>
public sealed class RunRecord
{
    public int Id { get; set; }
    public required string Name { get; set; }
    /// <summary>Runs queued together (e.g. several seeds of one config) share a group.</summary>
    public string Group { get; set; } = "";
    public int DatasetId { get; set; }
    public DatasetRecord? Dataset { get; set; }
    /// <summary>Comma-separated; empty = every category (one unified model).</summary>
    public string Categories { get; set; } = "";
    public string NormalClasses { get; set; } = "";
    public string Preset { get; set; } = "";
    public required string ConfigJson { get; set; }
    public int Seed { get; set; }
    public string Device { get; set; } = "auto";
    public string Queue { get; set; } = Queues.Training;
    public RunStatus Status { get; set; }
    /// <summary>Set when a user cancels a running run: the job then records it as cancelled. A job stopped without it
    /// (the lab shutting down, the job server aborting the job) is recorded as failed, with that cause.</summary>
    public bool CancelRequested { get; set; }
    public string? JobId { get; set; }
    public DateTime CreatedAt { get; set; }
    public string CreatedBy { get; set; } = "";
    public DateTime? StartedAt { get; set; }
    public DateTime? FinishedAt { get; set; }
    public int Epoch { get; set; }
    public int TotalEpochs { get; set; }
    public int Step { get; set; }
    public int StepsPerEpoch { get; set; }
    public double? Loss { get; set; }
    public double? LearningRate { get; set; }
    public double? ImagesPerSecond { get; set; }
    public double? RemainingSeconds { get; set; }
    public string? Error { get; set; }
    public string Folder { get; set; } = "";
    public string ImageScore { get; set; } = "";
    public double? MeanImageAuroc { get; set; }
    public double? MeanPixelAuroc { get; set; }
    public double? MeanAupro { get; set; }
    /// <summary>The evaluation's warnings, one per line (e.g. an AUROC below 0.5, reported raw, never flipped).</summary>
    public string Warnings { get; set; } = "";
    public string Tags { get; set; } = "";
    public string Notes { get; set; } = "";
    public bool Archived { get; set; }
    public string CodeVersion { get; set; } = "";
    /// <summary>Where it trained: resolved device, machine, .NET, TorchSharp and OS (set when training starts).</summary>
    public string Environment { get; set; } = "";
    /// <summary>The epoch whose test metrics were best (the official ckpt_best rule), with its mean image and pixel
    /// AUROC: a choice made on the test set, shown beside the last epoch's results and never in place of them.</summary>
    public int? BestEpoch { get; set; }
    public double? BestImageAuroc { get; set; }
    public double? BestPixelAuroc { get; set; }
    /// <summary>The study this run belongs to (null for a run queued on its own) and its variant's name there.</summary>
    public int? StudyId { get; set; }
    public string Variant { get; set; } = "";
    /// <summary>Time the training job ran, summed over its executions (a resumed run adds its second part); waiting in
    /// the queue and a paused run's idle time are not counted.</summary>
    public double? WallSeconds { get; set; }
    /// <summary>Largest resident memory of the lab process and GPU memory in use on the device, over the run's
    /// resource samples.</summary>
    public long? PeakMemoryBytes { get; set; }
    public long? PeakGpuMemoryBytes { get; set; }
    /// <summary>Where a run that was not trained here came from (e.g. "the official UniAD code: ckpt.pth.tar, epoch 1000"),
    /// with the SHA-256 of that file; null for a run the lab trained.</summary>
    public string? ImportedFrom { get; set; }
    public string? ImportedSha256 { get; set; }
    public List<EpochRecord> History { get; set; } = [];
    public List<CategoryResult> Results { get; set; } = [];
    public List<TestEvaluationRecord> Evaluations { get; set; } = [];
    public List<ResourceSample> Resources { get; set; } = [];

    /// <summary>One unified model over several categories (all of the dataset's when none were chosen), or a model of
    /// one category: tables and charts keep the two apart.</summary>
    public bool IsUnified => Categories.Split(',', StringSplitOptions.RemoveEmptyEntries).Length != 1;

    public bool IsImported => ImportedSha256 is not null;
}

/// <summary>What a training run used at one moment: CPU of the lab process (100 = one core busy), its resident memory,
/// and on CUDA the device's utilisation and memory in use.</summary>
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

public enum StudyKind { Ablation, Sweep }

/// <summary>An ablation study or a sweep: a base config with named variants (each a list of overrides), every variant
/// trained with every seed, queued as one group of runs. The baseline variant is what every other is compared with.</summary>
public sealed class StudyRecord
{
    public int Id { get; set; }
    public required string Name { get; set; }
    public StudyKind Kind { get; set; }
    public int DatasetId { get; set; }
    public DatasetRecord? Dataset { get; set; }
    public string Categories { get; set; } = "";
    public string NormalClasses { get; set; } = "";
    public string Preset { get; set; } = "";
    /// <summary>The config every variant starts from (its seed is replaced by each run's).</summary>
    public required string BaseConfigJson { get; set; }
    /// <summary>JSON list of <c>{"name", "overrides": [...]}</c>, in the study's order.</summary>
    public required string VariantsJson { get; set; }
    public required string Baseline { get; set; }
    /// <summary>Comma-separated.</summary>
    public string Seeds { get; set; } = "";
    /// <summary>For a sweep: JSON list of <c>{"key", "values": [...]}</c>, the grid its variants come from.</summary>
    public string SweepAxesJson { get; set; } = "";
    public string Device { get; set; } = "auto";
    public string Queue { get; set; } = Queues.Training;
    public DateTime CreatedAt { get; set; }
    public string CreatedBy { get; set; } = "";
    public List<RunRecord> Runs { get; set; } = [];
}

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

/// <summary>One row of a run's result table: a category, or the mean row. One row per (run, category), so a
/// compare view reads many runs' per-category results in one query.</summary>
public sealed class CategoryResult
{
    /// <summary>The mean row's category name; parentheses keep it apart from any folder name a dataset uses.</summary>
    public const string MeanRow = "(mean)";

    public int Id { get; set; }
    public int RunId { get; set; }
    public required string Category { get; set; }
    public bool IsMean { get; set; }
    public int TestImages { get; set; }
    public int AnomalousImages { get; set; }
    public double? ImageAuroc { get; set; }
    public double? ImageAp { get; set; }
    public double? ImageF1Max { get; set; }
    public double? PixelAuroc { get; set; }
    public double? PixelAp { get; set; }
    public double? PixelF1Max { get; set; }
    public double? Aupro { get; set; }
}

/// <summary>Image and pixel AUROC of one category (or the mean row) on the test set after one epoch: the evaluations
/// during training (training.evaluate_every_epochs) and after the last epoch. They show how test metrics move as a
/// run trains; picking the best epoch from them is picking on the test set.</summary>
public sealed class TestEvaluationRecord
{
    public int Id { get; set; }
    public int RunId { get; set; }
    public int Epoch { get; set; }
    public required string Category { get; set; }
    public bool IsMean { get; set; }
    public double ImageAuroc { get; set; }
    public double? PixelAuroc { get; set; }
    /// <summary>The model's identity pass-through (ShortcutProbe), on the mean row: a property of the model, not of a category.</summary>
    public double? PassThrough { get; set; }
}
