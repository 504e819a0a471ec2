using UniAD.Core.Configuration;
using UniAD.Lab.Persistence;
using UniAD.Lab.Runs;

namespace UniAD.Lab.Studies;

/// <summary>The New study form: the base run (every field of the New run form; its name is the study's), then either
/// named variants (an ablation study) or a grid over config keys (a sweep), the baseline, and the seeds. It becomes a
/// <see cref="StudySpec"/>, which <see cref="RunRequests"/> checks and expands.</summary>
public sealed class StudyDraft(RunDraft baseRun)
{
    public RunDraft Base { get; } = baseRun;
    public StudyKind Kind { get; set; } = StudyKind.Ablation;
    public List<VariantDraft> Variants { get; set; } = [new() { Name = Presets.FullModel }, new() { Name = "variant" }];
    public List<SweepAxisDraft> Axes { get; } = [new()];
    public string Baseline { get; set; } = Presets.FullModel;

    /// <summary>The paper's ablations, one click: full UniAD as the baseline and each part removed, moved or rescaled;
    /// the variants stay editable.</summary>
    public void UsePaperAblations()
    {
        Kind = StudyKind.Ablation;
        Variants = [.. StudyDesign.PaperAblations().Select(v => new VariantDraft { Name = v.Name, Overrides = string.Join('\n', v.Overrides) })];
        Baseline = Presets.FullModel;
    }

    /// <summary>The form as a request, with the problems only typed text has (the base run's seeds).</summary>
    public (StudySpec Spec, IReadOnlyList<string> Problems) ToSpec()
    {
        var (baseSpec, problems) = Base.ToSpec();
        baseSpec = baseSpec with { Ablation = Presets.FullModel };          // a study's variants say what each removes
        var spec = Kind == StudyKind.Sweep
            ? new StudySpec(baseSpec, Sweep: [.. Axes.Where(a => a.Key.Trim().Length > 0).Select(a => new SweepAxis(a.Key.Trim(), StudyDesign.ParseValues(a.Values)))],
                Baseline: Baseline)
            : new StudySpec(baseSpec, Variants: [.. Variants.Select(v => new StudyVariant(v.Name, RunDraft.Lines(v.Overrides)))], Baseline: Baseline);
        return (spec, problems);
    }
}
