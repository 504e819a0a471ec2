using UniAD.Lab.Studies;

namespace UniAD.Lab.Persistence;

/// <summary>An ablation study or a sweep: a base config with named variants (each a list of overrides), every variant
/// trained with every seed, queued as one group of runs. The baseline variant is what every other is compared with.</summary>
public sealed class StudyRecord
{
    public int Id { get; set; }
    public required string Name { get; set; }
    public StudyKind Kind { get; set; }
    public int DatasetId { get; set; }
    public DatasetRecord? Dataset { get; set; }
    public List<string> Categories { get; set; } = [];
    public List<string> NormalClasses { get; set; } = [];
    public string Preset { get; set; } = "";
    /// <summary>The config every variant starts from (its seed is replaced by each run's).</summary>
    public required string BaseConfigJson { get; set; }
    /// <summary>In the study's order.</summary>
    public List<StudyVariant> Variants { get; set; } = [];
    public required string Baseline { get; set; }
    public List<int> Seeds { get; set; } = [];
    /// <summary>For a sweep: the grid its variants come from; empty for an ablation study.</summary>
    public List<SweepAxis> SweepAxes { get; set; } = [];
    public string Device { get; set; } = "auto";
    public string Queue { get; set; } = Queues.Training;
    public DateTime CreatedAt { get; set; }
    public string CreatedBy { get; set; } = "";
    public List<RunRecord> Runs { get; set; } = [];
}
