using UniAD.Core;
using UniAD.Core.Configuration;
using UniAD.Lab.Persistence;
using UniAD.Lab.Runs;

namespace UniAD.Lab.Studies;

/// <summary>A variant as the form edits it: a name and its overrides, one per line.</summary>
public sealed class VariantDraft
{
    public string Name { get; set; } = "";
    public string Overrides { get; set; } = "";
    public IReadOnlyList<string> OverrideList() => RunDraft.Lines(Overrides);
}

/// <summary>A sweep key as the form edits it: the key and its values ("5, 10, 20", or "[3,3]; [5,5]").</summary>
public sealed class SweepAxisDraft
{
    public string Key { get; set; } = "";
    public string Values { get; set; } = "";
}

/// <summary>The New study form: the base run (every field of the New run form; its name is the study's), then either
/// named variants (an ablation study) or a grid over config keys (a sweep), the baseline, and the seeds.</summary>
public sealed class StudyDraft(RunDraft? baseRun = null)
{
    public RunDraft Base { get; } = baseRun ?? new RunDraft();
    public StudyKind Kind { get; set; } = StudyKind.Ablation;
    public List<VariantDraft> Variants { get; set; } = [new() { Name = "full" }, new() { Name = "variant" }];
    public List<SweepAxisDraft> Axes { get; } = [new()];
    public string Baseline { get; set; } = "full";

    /// <summary>The paper's ablations, one click: full UniAD as the baseline and each part removed, moved or rescaled.</summary>
    public void UsePaperAblations()
    {
        Kind = StudyKind.Ablation;
        Variants = [.. StudyDesign.PaperAblations().Select(v => new VariantDraft { Name = v.Name, Overrides = string.Join('\n', v.Overrides) })];
        Baseline = "full";
    }

    /// <summary>The variants the study will train: as written, or every combination of the sweep's values.</summary>
    public IReadOnlyList<StudyVariant> ResolvedVariants() => Kind == StudyKind.Sweep
        ? StudyDesign.Grid([.. Axes.Where(a => a.Key.Trim().Length > 0).Select(a => new SweepAxis(a.Key.Trim(), StudyDesign.ParseValues(a.Values)))])
        : [.. Variants.Select(v => new StudyVariant(v.Name.Trim(), v.OverrideList()))];

    /// <summary>A sweep's baseline is the chosen variant when it is one of the grid's, else the grid's first.</summary>
    private string ResolvedBaseline(IReadOnlyList<StudyVariant> variants) =>
        Kind == StudyKind.Sweep && variants.All(v => v.Name != Baseline) && variants.Count > 0 ? variants[0].Name : Baseline.Trim();

    /// <summary>Every problem with the form: the base run's (but its name, which is the study's), then the study's own.</summary>
    public IReadOnlyList<string> Problems()
    {
        var problems = Base.Problems().Where(p => p != RunDraft.NameMissing && p != RunDraft.NoSeed).ToList();
        UniadConfig? config = null;
        try { config = Base.Config(); }
        catch (UserException) { }                                      // already among the base run's problems
        int seeds = 0;
        try { seeds = Base.SeedList().Count; }
        catch (UserException) { seeds = -1; }                          // ditto: unreadable, which is not "none"
        try
        {
            var variants = ResolvedVariants();
            problems.AddRange(StudyLauncher.Problems(Base.Name, variants, ResolvedBaseline(variants), seeds, config));
        }
        catch (UserException e) { problems.Add(e.Message); }
        return problems;
    }

    public StudyRequest ToRequest(string user)
    {
        var problems = Problems();
        if (problems.Count > 0) throw new UserException(problems);
        return Request(ResolvedVariants(), user);
    }

    private StudyRequest Request(IReadOnlyList<StudyVariant> variants, string user)
    {
        var axes = Kind == StudyKind.Sweep ? Axes.Where(a => a.Key.Trim().Length > 0).Select(a => new SweepAxis(a.Key.Trim(), StudyDesign.ParseValues(a.Values))).ToList() : null;
        return new StudyRequest(Base.Name.Trim(), Kind, Base.ToRequest(user, requireName: false), variants, ResolvedBaseline(variants), axes);
    }
}
