using UniAD.Core;
using Hangfire;
using Microsoft.EntityFrameworkCore;
using UniAD.Core.Configuration;
using UniAD.Lab.Compare;
using UniAD.Lab.Persistence;
using UniAD.Lab.Runs;
using UniAD.Lab.Studies;

namespace UniAD.Lab.Tests;

/// <summary>Studies from the form's state to queued runs on a real lab, the paper's ablations and sweeps as designs, and
/// the matrix's exports.</summary>
public abstract class StudyTests(DatabaseProvider database)
{
    public sealed class OnSqlite() : StudyTests(DatabaseProvider.Sqlite);
    public sealed class OnPostgres() : StudyTests(DatabaseProvider.Postgres);

    /// <summary>A study form on the tiny config: the default preset with every difference but the form's fields (which keep
    /// the preset's values) as a base override.</summary>
    internal static StudyDraft TinyStudy(Lab lab, int datasetId)
    {
        var draft = lab.Requests.NewStudyDraft();
        draft.Base.DatasetId = datasetId;
        draft.Base.Name = "jitter";
        draft.Base.Seeds = "1, 2";
        draft.Base.Overrides = string.Join('\n', Lab.FormOverrides(TinyDataset.Config(epochs: 2)));
        draft.Variants = [new() { Name = "full" }, new() { Name = "no jitter", Overrides = "model.feature_jitter.enabled=false" }];
        return draft;
    }

    [Fact]
    public async Task AStudyQueuesEveryVariantWithEverySeedAsOneGroupOfRuns()
    {
        using var lab = new Lab(database);
        var draft = TinyStudy(lab, await lab.ImportTinyAsync());
        var (spec, formProblems) = draft.ToSpec();
        Assert.Empty(formProblems);
        var plan = await lab.Requests.PlanAsync(spec);
        Assert.Empty(plan.Problems);
        Assert.Equal(4, plan.Runs.Count);

        int id = await lab.Requests.QueueAsync(spec, "ana");

        using var db = lab.Db();
        var runs = await db.Runs.Where(r => r.StudyId == id).OrderBy(r => r.Id).ToListAsync();
        Assert.Equal([("full", 1), ("full", 2), ("no jitter", 1), ("no jitter", 2)], runs.Select(r => (r.Variant, r.Request.Seed)));
        Assert.All(runs, r => Assert.Equal(RunStatus.Queued, r.Status));
        Assert.Equal([$"study {id}: full", $"study {id}: no jitter"], runs.Select(r => r.Group).Distinct());
        Assert.Equal([true, true, false, false], runs.Select(r => UniadConfig.FromJson(r.Request.ConfigJson).Model.FeatureJitter.Enabled));
        Assert.All(runs, r => Assert.Equal(32, UniadConfig.FromJson(r.Request.ConfigJson).Model.HiddenDim));      // the base overrides reach every variant
        Assert.All(runs, r => Assert.Equal([1, 2], [.. runs.Where(o => o.Variant == r.Variant).Select(o => UniadConfig.FromJson(o.Request.ConfigJson).Training.Seed)]));
        Assert.All(runs, r => Assert.Equal("ana", r.CreatedBy));
        Assert.Equal(4, lab.JobStorage.GetMonitoringApi().EnqueuedCount(Queues.Training));

        var study = (await lab.Get<StudyQueries>().GetAsync(id))!;
        Assert.Equal([1, 2], study.Study.Seeds);
        Assert.Equal(["full", "no jitter"], study.Study.Variants.Select(v => v.Name));
        Assert.Equal(["full", "no jitter"], study.Items.Select(i => i.Label));
        Assert.Equal((0, "full"), (study.Baseline, study.Study.Baseline));
        Assert.Equal($"groups={Uri.EscapeDataString($"full:{runs[0].Id},{runs[1].Id};no jitter:{runs[2].Id},{runs[3].Id}")}", study.Selection.ToQuery());
    }

    [Fact]
    public async Task EveryProblemIsNamedAndNothingIsStored()
    {
        using var lab = new Lab(database);
        var draft = TinyStudy(lab, await lab.ImportTinyAsync());
        draft.Base.Name = " ";
        draft.Base.Seeds = "";
        draft.Variants = [new() { Name = "a", Overrides = "model.jiter=1" }, new() { Name = "a" }];
        draft.Baseline = "full";

        var problems = (await lab.Requests.PlanAsync(draft.ToSpec().Spec)).Problems;

        Assert.Equal(["give the study a name", "give at least one seed", "variant name 'a' appears twice",
                      "the baseline 'full' is not one of the variants"], problems);
        await Assert.ThrowsAsync<UserException>(() => lab.Requests.QueueAsync(draft.ToSpec().Spec, "ana"));

        draft.Base.Name = "named";
        draft.Base.Seeds = "1";
        problems = (await lab.Requests.PlanAsync(draft.ToSpec().Spec)).Problems;
        Assert.Contains(problems, p => p.StartsWith("variant 'a': override 'model.jiter=1': unknown key 'jiter'"));
        using var db = lab.Db();
        Assert.Empty(db.Studies);
        Assert.Empty(db.Runs);
    }

    /// <summary>Each variant's config is built by the one request path, so a variant gets every rule a run does: here the
    /// EfficientNet-B4 weights, which the lab keeps from an import and gives to a variant whose config names none.</summary>
    [Fact]
    public async Task EveryVariantIsBuiltAsARunIsWithTheKeptBackboneWeights()
    {
        using var lab = new Lab(database);
        var draft = TinyStudy(lab, await lab.ImportTinyAsync());
        draft.Variants = [new() { Name = "full" }, new() { Name = "b4", Overrides = "backbone.kind=efficientnet_b4" }];
        var problems = (await lab.Requests.PlanAsync(draft.ToSpec().Spec)).Problems;
        Assert.Equal("variant 'b4': EfficientNet-B4 needs ImageNet weights (efficientnet-b4-6ed6700e.pth); set backbone.weights_path to that file. " +
                     "Refusing to train on random weights.", Assert.Single(problems));

        Directory.CreateDirectory(lab.Options.WeightsFolder);
        var kept = RandomBackbones.EfficientNetB4(Path.Combine(lab.Options.WeightsFolder, "efficientnet-b4-0123456789ab.safetensors"));
        var plan = await lab.Requests.PlanAsync(draft.ToSpec().Spec);
        Assert.Empty(plan.Problems);
        Assert.All(plan.Runs.Where(r => r.Variant == "b4"), r => Assert.Equal(kept, r.Config.Backbone.WeightsPath));
    }

    [Fact]
    public async Task AStudyOverTheLimitOfRunsIsRefusedNamingIt()
    {
        using var lab = new Lab(database);
        var draft = TinyStudy(lab, await lab.ImportTinyAsync());
        draft.Base.Seeds = string.Join(',', Enumerable.Range(1, 251));
        var problems = (await lab.Requests.PlanAsync(draft.ToSpec().Spec)).Problems;
        Assert.Equal("502 runs (2 variants × 251 seeds); a request queues at most 500 (Lab:Limits:RunsPerRequest)", Assert.Single(problems));
    }

    [Fact]
    public async Task ASweepOverTheLimitIsRefusedBeforeItsGridIsBuilt()
    {
        using var lab = new Lab(database);
        var draft = TinyStudy(lab, await lab.ImportTinyAsync());
        draft.Kind = StudyKind.Sweep;
        draft.Axes[0].Key = "model.feature_jitter.scale";
        draft.Axes[0].Values = string.Join(", ", Enumerable.Range(1, 1000));
        draft.Axes.Add(new SweepAxisDraft { Key = "model.hidden_dim", Values = string.Join(", ", Enumerable.Range(1, 1000)) });
        var plan = await lab.Requests.PlanAsync(draft.ToSpec().Spec);
        Assert.Equal("the sweep is 1,000,000 combinations; a request queues at most 500 runs (Lab:Limits:RunsPerRequest)", Assert.Single(plan.Problems));
        Assert.Empty(plan.Variants);
    }

    [Fact]
    public async Task ThePapersAblationsAreOneClick()
    {
        using var lab = new Lab(database);
        var draft = lab.Requests.NewStudyDraft();
        draft.UsePaperAblations();
        var variants = (await lab.Requests.PlanAsync(draft.ToSpec().Spec)).Variants;
        Assert.Equal(["full", "no-neighbor-mask", "neighbor-mask-encoder-only", "neighbor-mask-decoder-only", "no-jitter", "shared-query", "no-query",
                      "jitter-scale-5", "jitter-scale-10", "jitter-scale-40", "vanilla"], variants.Select(v => v.Name));
        Assert.Equal("full", draft.Baseline);
        var configs = variants.ToDictionary(v => v.Name, v => ConfigOverrides.Apply(new UniadConfig(), v.Overrides).Model);
        Assert.Equal((true, true, false, false), (configs["neighbor-mask-encoder-only"].NeighborMask.Encoder, configs["neighbor-mask-encoder-only"].NeighborMask.Enabled,
            configs["neighbor-mask-encoder-only"].NeighborMask.DecoderMemory, configs["neighbor-mask-encoder-only"].NeighborMask.DecoderPrevious));
        Assert.Equal((false, true, true), (configs["neighbor-mask-decoder-only"].NeighborMask.Encoder, configs["neighbor-mask-decoder-only"].NeighborMask.DecoderMemory,
            configs["neighbor-mask-decoder-only"].NeighborMask.DecoderPrevious));
        Assert.Equal(40, configs["jitter-scale-40"].FeatureJitter.Scale, 1e-12);
        Assert.Equal((QueryKind.None, false, false), (configs["vanilla"].Queries, configs["vanilla"].NeighborMask.Enabled, configs["vanilla"].FeatureJitter.Enabled));
    }

    [Fact]
    public async Task ASweepIsEveryCombinationOfItsValues()
    {
        using var lab = new Lab(database);
        var draft = lab.Requests.NewStudyDraft();
        draft.Kind = StudyKind.Sweep;
        draft.Axes[0].Key = "model.feature_jitter.scale";
        draft.Axes[0].Values = "5, 10";
        draft.Axes.Add(new SweepAxisDraft { Key = "model.neighbor_mask.size", Values = "[3,3]; [5,5]" });

        var plan = await lab.Requests.PlanAsync(draft.ToSpec().Spec);
        var variants = plan.Variants;

        Assert.Equal(["model.feature_jitter.scale=5, model.neighbor_mask.size=[3,3]", "model.feature_jitter.scale=5, model.neighbor_mask.size=[5,5]",
                      "model.feature_jitter.scale=10, model.neighbor_mask.size=[3,3]", "model.feature_jitter.scale=10, model.neighbor_mask.size=[5,5]"],
            variants.Select(v => v.Name));
        Assert.Equal([5, 5], ConfigOverrides.Apply(new UniadConfig(), variants[1].Overrides).Model.NeighborMask.Size);
        Assert.Equal(variants[0].Name, plan.Baseline);                          // "full" is none of the grid's
        draft.Axes[1].Values = "";
        Assert.Contains("sweep key 'model.neighbor_mask.size' has no values", (await lab.Requests.PlanAsync(draft.ToSpec().Spec)).Problems);
    }

    [Fact]
    public async Task AStudyHoldsBothMethodsAsOneMatrixWithOneBaseline()
    {
        using var lab = new Lab(database);
        var draft = TinyStudy(lab, await lab.ImportTinyAsync());
        draft.Base.Seeds = "1";
        draft.Baseline = "UniAD full";
        draft.Variants = [new() { Name = "UniAD full" }, new() { Name = "UniAD vanilla", Overrides = string.Join('\n', Presets.Ablations["vanilla"]) },
            new() { Name = "PatchCore 10%", Overrides = "method=patchcore" },
            new() { Name = "PatchCore 25%", Overrides = "method=patchcore\npatchcore.coreset_fraction=0.25" }];
        int id = await lab.Requests.QueueAsync(draft.ToSpec().Spec, "ana");
        using (var db = lab.Db())
            foreach (var runId in await db.Runs.Where(r => r.StudyId == id).Select(r => r.Id).ToListAsync()) lab.Job().Run(runId, CancellationToken.None);

        var study = (await lab.Get<StudyQueries>().GetAsync(id))!;
        Assert.All(study.Items, i => Assert.Equal(RunStatus.Finished, Assert.Single(i.Runs).Status));
        Assert.Equal([Method.Uniad, Method.Uniad, Method.Patchcore, Method.Patchcore],
            study.Items.Select(i => UniadConfig.FromJson(i.Runs[0].Request.ConfigJson).Method));
        Assert.Equal([0.1, 0.25], study.Items.Skip(2).Select(i => UniadConfig.FromJson(i.Runs[0].Request.ConfigJson).Patchcore.CoresetFraction));
        var matrix = MetricMatrix.Build(study.Items, Metric.ImageAuroc, study.Baseline);
        Assert.Equal(["fabric", "nut"], matrix.Categories);
        Assert.All(matrix.Rows.Skip(1), row => Assert.Equal(row.Mean.Summary!.Mean - matrix.Rows[0].Mean.Summary!.Mean, row.Mean.Delta!.Value, 1e-12));
        Assert.Contains("PatchCore 25\\%", MatrixExport.Latex(matrix, "baselines"));
    }

    [Fact]
    public void TheMatrixExportsAsCsvWithFullPrecisionAndAsABooktabsTable()
    {
        RunRecord Run(int id, int seed, double a, double b) => new()
        {
            Id = id, Name = $"r{id}", Request = new() { Seed = seed, ConfigJson = "{}" }, Status = RunStatus.Finished,
            Results = [new() { Category = "screw_a", ImageAuroc = a }, new() { Category = "nut", ImageAuroc = b }],
        };
        var items = new List<CompareItem>
        {
            new("full", [Run(1, 1, 0.91, 0.80), Run(2, 2, 0.93, 0.82)]),
            new("no_jitter & more", [Run(3, 1, 0.95, 0.70), Run(4, 2, 0.97, 0.72)]),
        };
        var matrix = MetricMatrix.Build(items, Metric.ImageAuroc, baseline: 0);

        var csv = MatrixExport.Csv(matrix).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("metric,row,runs,nut_mean,nut_std,nut_n,screw_a_mean,screw_a_std,screw_a_n,mean_mean,mean_std,mean_n,mean_delta,p_over_categories,p_over_seeds", csv[0]);
        var second = csv[2].Split(',');
        Assert.Equal(("image_auroc", "no_jitter & more", "2"), (second[0], second[1], second[2]));
        Assert.Equal(matrix.Rows[1].Cells[1].Summary!.Mean, double.Parse(second[6], System.Globalization.CultureInfo.InvariantCulture), 1e-15);
        Assert.Equal(matrix.Rows[1].Mean.Delta!.Value, double.Parse(second[12], System.Globalization.CultureInfo.InvariantCulture), 1e-15);

        var tex = MatrixExport.Latex(matrix, "study 1");
        Assert.Contains("\\toprule", tex);
        Assert.Contains("Variant & nut & screw\\_a & Mean \\\\", tex);
        Assert.Contains("full & \\textbf{81.0} $\\pm$ 1.4 & 92.0 $\\pm$ 1.4 & \\textbf{86.5} $\\pm$ 1.4 \\\\", tex);
        Assert.Contains("no\\_jitter \\& more & 71.0 $\\pm$ 1.4 & \\textbf{96.0} $\\pm$ 1.4 & 83.5 $\\pm$ 1.4 \\\\", tex);
    }
}
