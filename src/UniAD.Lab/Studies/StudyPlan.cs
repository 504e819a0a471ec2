using UniAD.Lab.Runs;

namespace UniAD.Lab.Studies;

/// <summary>A <see cref="StudySpec"/> resolved and checked, once: its variants (the paper's ablations and sweep grids
/// expanded), the baseline among them, every problem, and when there is none every variant × seed run with its config.</summary>
public sealed record StudyPlan(StudySpec Spec, RunPlan Base, IReadOnlyList<StudyVariant> Variants, string Baseline,
    IReadOnlyList<string> Problems, IReadOnlyList<PlannedRun> Runs)
{
    public bool CanQueue => Problems.Count == 0;
}
