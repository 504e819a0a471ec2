namespace UniAD.Lab.Persistence;

/// <summary>One training run (or the evaluation of an imported checkpoint): who queued it and where it stands, with its
/// parts kept apart as the questions they answer: what was asked (<see cref="Request"/>), the live numbers while it trains
/// (<see cref="Progress"/>), its results (<see cref="Summary"/>, <see cref="BestOnTest"/>), what it cost
/// (<see cref="Cost"/>) and where it came from (<see cref="Provenance"/>). The parts are stored in the run's own row.</summary>
public sealed class RunRecord
{
    public int Id { get; set; }
    public required string Name { get; set; }
    /// <summary>Runs queued together (e.g. several seeds of one config) share a group.</summary>
    public string Group { get; set; } = "";
    public int DatasetId { get; set; }
    public DatasetRecord? Dataset { get; set; }
    /// <summary>The study this run belongs to (null for a run queued on its own) and its variant's name there.</summary>
    public int? StudyId { get; set; }
    public string Variant { get; set; } = "";

    public RunStatus Status { get; set; }
    /// <summary>Set when a user cancels a running run: the job then records it as cancelled. A job stopped without it
    /// (the lab shutting down, the job server aborting the job) is recorded as failed, with that cause.</summary>
    public bool CancelRequested { get; set; }
    /// <summary>Who asked for the cancel (kept when the job then records the run as cancelled; cleared by a resume).</summary>
    public string? CancelledBy { get; set; }
    public string? JobId { get; set; }
    /// <summary>Why it failed, in one line with an error id when the lab was at fault.</summary>
    public string? Error { get; set; }
    public DateTime CreatedAt { get; set; }
    public string CreatedBy { get; set; } = "";
    public DateTime? StartedAt { get; set; }
    public DateTime? FinishedAt { get; set; }
    /// <summary>The run's folder on the server (checkpoint, maps, results, log): see UniAD.Core's RunFolder.</summary>
    public string Folder { get; set; } = "";

    /// <summary>The worker training it now, or that trained it last (<see cref="Workers.WorkerRecord.Name"/>); while a
    /// queued run is given a new job, the process giving it one.</summary>
    public string? Worker { get; set; }
    /// <summary>Each start and resume, in order: when, which worker, which device ("2026-12-02 10:41:07Z host:412 on cuda:0").</summary>
    public List<string> TrainedOn { get; set; } = [];

    /// <summary>Who last changed its name, tags, notes or archiving, and when (null while no one has).</summary>
    public string? ChangedBy { get; set; }
    public DateTime? ChangedAt { get; set; }

    public List<string> Tags { get; set; } = [];
    public string Notes { get; set; } = "";
    public bool Archived { get; set; }

    public required RunRequest Request { get; set; }
    public RunProgress Progress { get; set; } = new();
    public RunSummary Summary { get; set; } = new();
    public BestOnTestSummary BestOnTest { get; set; } = new();
    public RunCost Cost { get; set; } = new();
    public RunProvenance Provenance { get; set; } = new();

    public List<EpochRecord> History { get; set; } = [];
    public List<CategoryResult> Results { get; set; } = [];
    public List<TestEvaluationRecord> Evaluations { get; set; } = [];
    public List<ResourceSample> Resources { get; set; } = [];

    /// <summary>One unified model over several categories (all of the dataset's when none were chosen), or a model of
    /// one category: tables and charts keep the two apart.</summary>
    public bool IsUnified => Request.Categories.Count != 1;

    public bool IsImported => Provenance.ImportedSha256 is not null;
}
