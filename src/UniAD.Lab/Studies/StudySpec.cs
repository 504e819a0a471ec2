using UniAD.Lab.Persistence;
using UniAD.Lab.Runs;

namespace UniAD.Lab.Studies;

/// <summary>What a user asks of a study, as a front end received it: the base run (its name is the study's), then named
/// variants, or the paper's ablations, or a sweep grid over config keys; the baseline is a variant's name (by default
/// the first variant, or <c>full</c> for the paper's ablations).</summary>
public sealed record StudySpec(RunSpec Base, IReadOnlyList<StudyVariant>? Variants = null, bool PaperAblations = false,
    IReadOnlyList<SweepAxis>? Sweep = null, string? Baseline = null)
{
    public StudyKind Kind => Sweep is not null ? StudyKind.Sweep : StudyKind.Ablation;
}
