using UniAD.Core.Configuration;
using UniAD.Core.Data;

namespace UniAD.Lab.Persistence;

/// <summary>What was asked of a run: the dataset's categories, the preset and the paper ablation it started from, the
/// whole config that resulted, its seed, and where it was to train.</summary>
public sealed class RunRequest
{
    /// <summary>Empty = every category of the dataset (one unified model).</summary>
    public List<string> Categories { get; set; } = [];
    /// <summary>For a folder-of-classes dataset: the normal classes as given (names, indices or one paper split).</summary>
    public List<string> NormalClasses { get; set; } = [];
    /// <summary>One of <see cref="Presets.ByName"/>, or what a run not built from a preset says it is (e.g. an import).</summary>
    public string Preset { get; set; } = "";
    /// <summary>One of <see cref="Presets.Ablations"/>, applied on top of the preset.</summary>
    public string Ablation { get; set; } = Presets.FullModel;
    public required string ConfigJson { get; set; }
    public int Seed { get; set; }
    /// <summary>auto, cpu, cuda or cuda:N, as asked (the run's record says what it resolved to).</summary>
    public string Device { get; set; } = "auto";
    public string Queue { get; set; } = Queues.Training;

    /// <summary>How to read a folder-of-classes dataset for this run; null for a dataset of another layout.</summary>
    public ClassFolderOptions? ClassFolder() => NormalClasses.Count == 0 ? null : ClassFolderOptions.Parse(NormalClasses);
}
