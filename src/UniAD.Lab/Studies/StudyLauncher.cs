using Microsoft.EntityFrameworkCore;
using UniAD.Core;
using UniAD.Core.Configuration;
using UniAD.Lab.Persistence;
using UniAD.Lab.Runs;

namespace UniAD.Lab.Studies;

/// <summary>What a study asks for: the base run (dataset, categories, config, device, queue), its variants, the
/// baseline among them, and the seeds every variant trains with.</summary>
public sealed record StudyRequest(string Name, StudyKind Kind, RunRequest Base, IReadOnlyList<StudyVariant> Variants, string Baseline,
    IReadOnlyList<SweepAxis>? Axes = null);

/// <summary>Checks a study as a whole (every problem listed, every variant's config built) and queues it: the study and all
/// its runs (variants × seeds) are stored in one transaction, then handed to the job queue.</summary>
public sealed class StudyLauncher(IDbContextFactory<LabDbContext> databases, RunLauncher runs)
{
    public const int MaxRuns = 500;

    /// <summary>Every problem with the request; empty when it can be queued.</summary>
    public static IReadOnlyList<string> Problems(StudyRequest request) =>
        Problems(request.Name, request.Variants, request.Baseline, request.Base.Seeds.Count, request.Base.Config);

    /// <summary>The study's own rules: a name, two or more variants with distinct names, a baseline among them, seeds, a
    /// bounded number of runs, and every variant's overrides valid on the base config (when there is one to check against).</summary>
    public static IReadOnlyList<string> Problems(string name, IReadOnlyList<StudyVariant> variants, string baseline, int seeds, UniadConfig? baseConfig)
    {
        var problems = new List<string>();
        if (string.IsNullOrWhiteSpace(name)) problems.Add("give the study a name");
        if (variants.Count < 2) problems.Add("a study needs at least two variants to compare");
        foreach (var duplicate in variants.GroupBy(v => v.Name.Trim()).Where(g => g.Count() > 1).Select(g => g.Key))
            problems.Add($"variant name '{duplicate}' appears twice");
        if (variants.Any(v => string.IsNullOrWhiteSpace(v.Name))) problems.Add("every variant needs a name");
        if (variants.Count > 0 && variants.All(v => v.Name != baseline)) problems.Add($"the baseline '{baseline}' is not one of the variants");
        if (seeds == 0) problems.Add("give at least one seed");
        if (variants.Count * seeds > MaxRuns) problems.Add($"{variants.Count * seeds} runs ({variants.Count} variants × {seeds} seeds); a study queues at most {MaxRuns}");
        foreach (var variant in baseConfig is null ? [] : variants)
        {
            try { ConfigRules.Check(ConfigOverrides.Apply(baseConfig!, variant.Overrides)); }
            catch (ConfigException e) { problems.Add($"variant '{variant.Name}': {e.Message}"); }
        }
        return problems;
    }

    /// <returns>The new study's id.</returns>
    public async Task<int> QueueAsync(StudyRequest request, CancellationToken cancel = default)
    {
        var problems = Problems(request);
        if (problems.Count > 0) throw new UserException(problems);
        await using var db = await databases.CreateDbContextAsync(cancel);
        if (!await db.Datasets.AnyAsync(d => d.Id == request.Base.DatasetId, cancel))
            throw new NotFoundException($"dataset {request.Base.DatasetId} does not exist");
        var study = new StudyRecord
        {
            Name = request.Name.Trim(), Kind = request.Kind, DatasetId = request.Base.DatasetId,
            Categories = string.Join(',', request.Base.Categories ?? []), NormalClasses = request.Base.NormalClasses, Preset = request.Base.Preset,
            BaseConfigJson = request.Base.Config.ToJson(), VariantsJson = StudyDesign.VariantsJson(request.Variants), Baseline = request.Baseline,
            Seeds = string.Join(',', request.Base.Seeds), SweepAxesJson = StudyDesign.AxesJson(request.Axes ?? []),
            Device = request.Base.Device, Queue = request.Base.Queue, CreatedAt = DateTime.UtcNow, CreatedBy = request.Base.User,
        };
        foreach (var variant in request.Variants)
        {
            var config = ConfigOverrides.Apply(request.Base.Config, variant.Overrides);
            study.Runs.AddRange(RunLauncher.Records(request.Base with { Config = config }, "", seed => $"{study.Name} · {variant.Name} · seed {seed}"));
            foreach (var run in study.Runs.Where(r => r.Variant.Length == 0)) run.Variant = variant.Name;
        }
        db.Studies.Add(study);
        await db.SaveChangesAsync(cancel);                                          // the study and every run, or nothing
        foreach (var run in study.Runs) run.Group = $"study {study.Id}: {run.Variant}";
        await runs.EnqueueAsync(db, study.Runs, cancel);
        return study.Id;
    }
}
