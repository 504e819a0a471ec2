using UniAD.Core.Configuration;
using UniAD.Core.Evaluation;
using UniAD.Lab.Persistence;

namespace UniAD.Lab.Runs;

/// <summary>Everything the run page and the API show of one run, read once per load: the run with its history, results
/// and test evaluations, its config parsed, and what its folder holds (the log's tail, the files there are to download,
/// the per-defect-type results). Pages render from it; none of them parses the config or reads a file while rendering.</summary>
public sealed record RunDetail(RunRecord Run, UniadConfig Config, IReadOnlyList<string> LogTail, IReadOnlyList<string> Files,
    IReadOnlyList<DefectTypeMetrics> DefectTypes)
{
    /// <summary>How many of the log's last lines a detail holds.</summary>
    public const int LogLines = 40;

    /// <summary>Only an EfficientNet-B4 run has an official counterpart to export to.</summary>
    public bool CanExportOfficial => Run.Status == RunStatus.Finished && Config.Backbone.Kind == BackboneKind.EfficientnetB4;
}
