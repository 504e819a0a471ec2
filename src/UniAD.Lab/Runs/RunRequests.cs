using Microsoft.Extensions.Options;
using UniAD.Core;
using UniAD.Core.Configuration;
using UniAD.Core.Data;
using UniAD.Datasets;
using UniAD.Lab.Datasets;
using UniAD.Lab.Persistence;
using UniAD.Lab.Workers;
using UniAD.Lab.Studies;

namespace UniAD.Lab.Runs;

/// <summary>The one way a request becomes queued runs, for every front end: the New run and New study forms, and the HTTP
/// API (an official import, which brings its own config, passes the same checks of the rest). It fills in the lab's defaults, checks every rule (the dataset, its categories and normal classes, the name, the
/// seeds, the device and queue, the limits, and through <see cref="ConfigRequest"/> the config of the run and of every
/// study variant), and hands a plan with no problem to <see cref="RunLauncher"/>. So a mistake gets the same line
/// wherever it is made, and nothing is queued that a job would refuse. (The CLI trains without the lab: it builds its
/// config through the same <see cref="ConfigRequest"/>.)</summary>
public sealed class RunRequests(DatasetCatalog catalog, RunLauncher launcher, WorkerRegistry workers, IOptions<LabOptions> options)
{
    private LabOptions Lab => options.Value;
    private LabLimits Limits => options.Value.Limits;

    /// <summary>A New run form as it opens: the default preset's fields and the lab's device.</summary>
    public RunDraft NewDraft() => new() { Device = Lab.Device };

    /// <summary>A New study form as it opens.</summary>
    public StudyDraft NewStudyDraft() => new(NewDraft());

    public async Task<RunPlan> PlanAsync(RunSpec spec, CancellationToken cancel = default)
    {
        var (plan, problems, _) = await BaseAsync(spec, "run", cancel);
        var (name, seeds) = (plan.Spec.Name!, plan.Spec.Seeds!);
        if (seeds.Count > Limits.RunsPerRequest) problems.Add(Limits.TooManyRuns(seeds.Count, "one per seed"));
        if (problems.Count > 0) return plan with { Problems = problems };
        return plan with { Runs = [.. seeds.Select(seed => new PlannedRun(seeds.Count > 1 ? $"{name} seed {seed}" : name, "", seed, plan.Config!.WithSeed(seed)))] };
    }

    public async Task<StudyPlan> PlanAsync(StudySpec spec, CancellationToken cancel = default)
    {
        var (basePlan, problems, keptWeights) = await BaseAsync(spec.Base, "study", cancel);
        var seeds = basePlan.Spec.Seeds!;
        var (designed, baseline) = Variants(spec, Limits.RunsPerRequest, problems);
        var variants = designed ?? [];
        if (designed is not null) CheckVariants(variants, baseline, seeds.Count, problems);
        var configs = new List<(StudyVariant Variant, UniadConfig Config)>();
        // Each variant's config is built and checked, unless the base cannot be (every variant would fail the same way) or
        // the study is over the limit (its variants are not worth building).
        if (basePlan.CanQueue && (long)variants.Count * Math.Max(1, seeds.Count) <= Limits.RunsPerRequest)
            foreach (var variant in variants)
            {
                var variantProblems = new List<string>();
                var variantConfig = Config(basePlan.Spec, variant.Overrides, keptWeights, variantProblems);
                problems.AddRange(variantProblems.Select(p => $"variant '{variant.Name}': {p}"));
                if (variantConfig is not null) configs.Add((variant, variantConfig));
            }
        if (problems.Count > 0) return new StudyPlan(spec, basePlan, variants, baseline, problems, []);
        var runs = configs.SelectMany(v => seeds.Select(seed =>
            new PlannedRun($"{basePlan.Spec.Name} · {v.Variant.Name} · seed {seed}", v.Variant.Name, seed, v.Config.WithSeed(seed)))).ToList();
        return new StudyPlan(spec, basePlan, variants, baseline, problems, runs);
    }

    /// <summary>What a run and a study plan share: the request checked, with the lab's defaults filled in, its config (when
    /// it can be built, so a form shows it while other fields still have problems) and its seeds. The plan keeps a copy
    /// of the problems; the list returned is the caller's to extend.</summary>
    private async Task<(RunPlan Plan, List<string> Problems, string? KeptWeights)> BaseAsync(RunSpec spec, string what, CancellationToken cancel)
    {
        var problems = new List<string>();
        spec = await CheckAsync(spec, what, problems, cancel);
        var keptWeights = OfficialImports.KeptEfficientNetB4(Lab);                  // a folder listing: once per plan
        var config = Config(spec, [], keptWeights, problems);
        spec = spec with { Seeds = Seeds(spec, config, problems) };
        return (new RunPlan(spec, [.. problems], config, []), problems, keptWeights);
    }

    /// <returns>The ids of the queued runs, one per seed.</returns>
    /// <exception cref="UserException">Every problem with the request; nothing is stored.</exception>
    public async Task<IReadOnlyList<int>> QueueAsync(RunSpec spec, string user, CancellationToken cancel = default)
    {
        var plan = await PlanAsync(spec, cancel);
        return plan.CanQueue ? await launcher.QueueAsync(plan, user, cancel) : throw new UserException(plan.Problems);
    }

    /// <returns>The new study's id.</returns>
    /// <exception cref="UserException">Every problem with the request; nothing is stored.</exception>
    public async Task<int> QueueAsync(StudySpec spec, string user, CancellationToken cancel = default)
    {
        var plan = await PlanAsync(spec, cancel);
        return plan.CanQueue ? await launcher.QueueAsync(plan, user, cancel) : throw new UserException(plan.Problems);
    }

    /// <summary>Queues what a New run form holds now: refused with the form's own problems (a seed that is not a number)
    /// as well as the plan's, since the form may have changed since its last check.</summary>
    public Task<IReadOnlyList<int>> QueueAsync(RunDraft draft, string user, CancellationToken cancel = default)
    {
        var (spec, problems) = draft.ToSpec();
        return problems.Count == 0 ? QueueAsync(spec, user, cancel) : throw new UserException(problems);
    }

    /// <summary>Queues what a New study form holds now, as <see cref="QueueAsync(RunDraft, string, CancellationToken)"/>.</summary>
    public Task<int> QueueAsync(StudyDraft draft, string user, CancellationToken cancel = default)
    {
        var (spec, problems) = draft.ToSpec();
        return problems.Count == 0 ? QueueAsync(spec, user, cancel) : throw new UserException(problems);
    }

    /// <summary>The checks every queued run passes, for one that brings its own config (an official import): the dataset,
    /// its categories and normal classes, the name, the device and the queue.</summary>
    /// <returns>The request with the lab's defaults filled in.</returns>
    /// <exception cref="UserException">Every problem with the request.</exception>
    internal async Task<RunSpec> CheckedAsync(RunSpec spec, CancellationToken cancel)
    {
        var problems = new List<string>();
        spec = await CheckAsync(spec, "run", problems, cancel);
        return problems.Count == 0 ? spec : throw new UserException(problems);
    }

    /// <summary>The request with the lab's defaults filled in, after the checks that need the database or the lab's
    /// settings: the dataset, its categories and normal classes, the name, the device and the queue.</summary>
    private async Task<RunSpec> CheckAsync(RunSpec spec, string what, List<string> problems, CancellationToken cancel)
    {
        spec = spec with
        {
            Name = spec.Name?.Trim(), Preset = spec.PresetOrDefault, Ablation = spec.AblationOrDefault, Device = spec.Device ?? Lab.Device,
            Queue = spec.Queue ?? Queues.Training, Overrides = spec.Overrides ?? [], Categories = spec.Categories ?? [],
            NormalClasses = spec.NormalClasses ?? [],
        };
        if (spec.DatasetId is not int datasetId) problems.Add("choose a dataset");
        else if (await catalog.FindAsync(datasetId, cancel) is not { } dataset) problems.Add($"dataset {datasetId} does not exist");
        else CheckCategories(dataset, catalog.CategoriesOf(dataset), spec, problems);
        if (string.IsNullOrWhiteSpace(spec.Name)) problems.Add($"give the {what} a name");
        else if (LabLimits.TooLong($"the {what}'s name", spec.Name, Limits.NameLength, nameof(LabLimits.NameLength)) is { } tooLong) problems.Add(tooLong);
        if (DeviceSelector.Problem(spec.Device) is { } device) problems.Add(device);
        var queues = await workers.QueuesAsync(cancel);
        if (!queues.Known.Contains(spec.Queue!)) problems.Add($"unknown queue '{spec.Queue}'; known: {string.Join(", ", queues.Known)}");
        return spec;
    }

    /// <summary>The chosen categories are the dataset's; normal classes are given for a folder of classes (and only there)
    /// and name some but not all of its classes.</summary>
    private static void CheckCategories(DatasetRecord dataset, IReadOnlyList<string> known, RunSpec spec, List<string> problems)
    {
        problems.AddRange(spec.Categories!.Except(known).Select(c => $"the dataset has no category '{c}'"));
        bool classFolder = DatasetLayouts.Parse(dataset.Layout) == DatasetLayout.ClassFolder;
        if (!classFolder)
        {
            if (spec.NormalClasses!.Count > 0)
                problems.Add($"normal classes are for a folder-of-classes dataset; {dataset.Name} is {dataset.Layout}, whose test set says what is anomalous");
            return;
        }
        if (spec.NormalClasses!.Count == 0) problems.Add($"{dataset.Name} is a folder of classes: name its normal classes (e.g. 01234)");
        else
        {
            try { ClassFolderOptions.Parse(spec.NormalClasses).NormalAmong(known); }
            catch (DatasetException e) { problems.Add($"normal classes: {e.Message}"); }
        }
    }

    /// <summary>The config of <paramref name="spec"/> with a study variant's overrides on top, through the one
    /// <see cref="ConfigRequest"/>; null, with its problems added, when it cannot be built or breaks a rule.</summary>
    private static UniadConfig? Config(RunSpec spec, IReadOnlyList<string> variantOverrides, string? keptWeights, List<string> problems)
    {
        var (config, found) = new ConfigRequest
        {
            Preset = spec.PresetOrDefault, Method = spec.Method, Ablation = spec.AblationOrDefault, Epochs = spec.Epochs, BatchSize = spec.BatchSize,
            EvaluateEvery = spec.EvaluateEvery, Overrides = [.. spec.Overrides ?? [], .. variantOverrides],
            DefaultEfficientNetB4Weights = keptWeights,
        }.Check();
        problems.AddRange(found);
        return found.Count == 0 ? config : null;
    }

    /// <summary>The seeds asked for, each once, or the config's own seed when none were given.</summary>
    private static IReadOnlyList<int> Seeds(RunSpec spec, UniadConfig? config, List<string> problems)
    {
        var seeds = spec.Seeds?.Distinct().ToList() ?? (config is null ? [] : [config.Training.Seed]);
        if (spec.Seeds is { Count: 0 }) problems.Add("give at least one seed");
        return seeds;
    }

    /// <summary>A study's own rules: two or more variants with distinct names, a baseline among them, and no more runs than
    /// a request may queue.</summary>
    private void CheckVariants(IReadOnlyList<StudyVariant> variants, string baseline, int seeds, List<string> problems)
    {
        if (variants.Count < 2) problems.Add("a study needs at least two variants to compare");
        foreach (var duplicate in variants.GroupBy(v => v.Name).Where(g => g.Count() > 1).Select(g => g.Key))
            problems.Add($"variant name '{duplicate}' appears twice");
        if (variants.Any(v => v.Name.Length == 0)) problems.Add("every variant needs a name");
        problems.AddRange(variants.Select((v, i) => LabLimits.TooLong($"variant {i + 1}'s name", v.Name, Limits.NameLength, nameof(LabLimits.NameLength)))
            .OfType<string>());
        if (variants.Count > 0 && variants.All(v => v.Name != baseline)) problems.Add($"the baseline '{baseline}' is not one of the variants");
        if ((long)variants.Count * seeds is var runs && runs > Limits.RunsPerRequest)
            problems.Add(Limits.TooManyRuns(runs, $"{variants.Count} variants × {seeds} seeds"));
    }

    /// <summary>The study's variants and baseline: the paper's ablations, a sweep grid, or the variants as given (one of
    /// the three); null, with the problem said, for a request that asks for several or a sweep that cannot be expanded.</summary>
    private static (IReadOnlyList<StudyVariant>? Variants, string Baseline) Variants(StudySpec spec, int limit, List<string> problems)
    {
        if (new object?[] { spec.PaperAblations ? true : null, spec.Sweep, spec.Variants }.Count(asked => asked is not null) > 1)
        {
            problems.Add("a study has named variants, the paper's ablations or a sweep: this request asks for more than one");
            return (null, spec.Baseline ?? "");
        }
        if (spec.PaperAblations) return (StudyDesign.PaperAblations(), spec.Baseline?.Trim() ?? Presets.FullModel);
        if (spec.Kind == StudyKind.Sweep)
        {
            long combinations = spec.Sweep!.Aggregate(1L, (product, axis) => product * Math.Max(1, axis.Values.Count));
            if (combinations > limit)
            {
                problems.Add($"the sweep is {combinations:N0} combinations; a request queues at most {limit} runs (Lab:Limits:RunsPerRequest)");
                return (null, spec.Baseline ?? "");
            }
            try
            {
                var grid = StudyDesign.Grid(spec.Sweep!);
                // A sweep's baseline is the chosen variant when it is one of the grid's, else the grid's first.
                return (grid, grid.Any(v => v.Name == spec.Baseline) ? spec.Baseline! : grid[0].Name);
            }
            catch (UserException e)
            {
                problems.AddRange(e.Problems);
                return (null, spec.Baseline ?? "");
            }
        }
        var variants = (spec.Variants ?? []).Select(v => v with { Name = v.Name.Trim() }).ToList();
        return (variants, spec.Baseline?.Trim() ?? variants.FirstOrDefault()?.Name ?? "");
    }
}
