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
public class StudyTests
{
    /// <summary>A study form on the tiny config: the quick preset with every difference as a base override.</summary>
    private static StudyDraft TinyStudy(int datasetId)
    {
        var draft = new StudyDraft();
        draft.Base.DatasetId = datasetId;
        draft.Base.Name = "jitter";
        draft.Base.Seeds = "1, 2";
        draft.Base.Overrides = string.Join('\n', ConfigDiff.Overrides(Presets.QuickCpu, Core.Tests.TinyDataset.Config(epochs: 2))
            .Where(o => !o.StartsWith("training.epochs") && !o.StartsWith("training.batch_size") && !o.StartsWith("training.seed")));
        draft.Variants = [new() { Name = "full" }, new() { Name = "no jitter", Overrides = "model.feature_jitter.enabled=false" }];
        return draft;
    }

    [Fact]
    public async Task AStudyQueuesEveryVariantWithEverySeedAsOneGroupOfRuns()
    {
        using var lab = new Lab();
        var draft = TinyStudy(await lab.ImportTinyAsync());
        Assert.Empty(draft.Problems());

        int id = await new StudyLauncher(lab.Databases, lab.Launcher).QueueAsync(draft.ToRequest("ana"));

        using var db = lab.Db();
        var runs = await db.Runs.Where(r => r.StudyId == id).OrderBy(r => r.Id).ToListAsync();
        Assert.Equal([("full", 1), ("full", 2), ("no jitter", 1), ("no jitter", 2)], runs.Select(r => (r.Variant, r.Seed)));
        Assert.All(runs, r => Assert.Equal(RunStatus.Queued, r.Status));
        Assert.Equal([$"study {id}: full", $"study {id}: no jitter"], runs.Select(r => r.Group).Distinct());
        Assert.Equal([true, true, false, false], runs.Select(r => UniadConfig.FromJson(r.ConfigJson).Model.FeatureJitter.Enabled));
        Assert.All(runs, r => Assert.Equal(32, UniadConfig.FromJson(r.ConfigJson).Model.HiddenDim));      // the base overrides reach every variant
        Assert.All(runs, r => Assert.Equal("ana", r.CreatedBy));
        Assert.Equal(4, lab.JobStorage.GetMonitoringApi().EnqueuedCount(Queues.Training));

        var study = (await new StudyQueries(lab.Databases, new CompareQueries(lab.Databases)).GetAsync(id))!;
        Assert.Equal(["full", "no jitter"], study.Items.Select(i => i.Label));
        Assert.Equal((0, "full"), (study.Baseline, study.Study.Baseline));
        Assert.Equal($"groups={Uri.EscapeDataString($"full:{runs[0].Id},{runs[1].Id};no jitter:{runs[2].Id},{runs[3].Id}")}", study.Selection.ToQuery());
    }

    [Fact]
    public async Task EveryProblemIsNamedAndNothingIsStored()
    {
        using var lab = new Lab();
        var draft = TinyStudy(await lab.ImportTinyAsync());
        draft.Base.Name = " ";
        draft.Base.Seeds = "";
        draft.Variants = [new() { Name = "a", Overrides = "model.jiter=1" }, new() { Name = "a" }];
        draft.Baseline = "full";

        var problems = draft.Problems();

        Assert.Equal(["give the study a name", "variant name 'a' appears twice", "the baseline 'full' is not one of the variants",
                      "give at least one seed"], problems.Take(4));
        Assert.Contains(problems, p => p.StartsWith("variant 'a': override 'model.jiter=1': unknown key 'jiter'"));
        Assert.Throws<UserException>(() => draft.ToRequest("ana"));
        using var db = lab.Db();
        Assert.Empty(db.Studies);
        Assert.Empty(db.Runs);
    }

    [Fact]
    public void ThePapersAblationsAreOneClick()
    {
        var draft = new StudyDraft();
        draft.UsePaperAblations();
        var variants = draft.ResolvedVariants();
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
    public void ASweepIsEveryCombinationOfItsValues()
    {
        var draft = new StudyDraft { Kind = StudyKind.Sweep };
        draft.Axes[0].Key = "model.feature_jitter.scale";
        draft.Axes[0].Values = "5, 10";
        draft.Axes.Add(new SweepAxisDraft { Key = "model.neighbor_mask.size", Values = "[3,3]; [5,5]" });

        var variants = draft.ResolvedVariants();

        Assert.Equal(["model.feature_jitter.scale=5, model.neighbor_mask.size=[3,3]", "model.feature_jitter.scale=5, model.neighbor_mask.size=[5,5]",
                      "model.feature_jitter.scale=10, model.neighbor_mask.size=[3,3]", "model.feature_jitter.scale=10, model.neighbor_mask.size=[5,5]"],
            variants.Select(v => v.Name));
        Assert.Equal([5, 5], ConfigOverrides.Apply(new UniadConfig(), variants[1].Overrides).Model.NeighborMask.Size);
        draft.Axes[1].Values = "";
        Assert.Contains("sweep key 'model.neighbor_mask.size' has no values", draft.Problems());
    }

    [Fact]
    public void TheMatrixExportsAsCsvWithFullPrecisionAndAsABooktabsTable()
    {
        RunRecord Run(int id, int seed, double a, double b) => new()
        {
            Id = id, Name = $"r{id}", Seed = seed, ConfigJson = "{}", Status = RunStatus.Finished,
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
