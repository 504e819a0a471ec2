using UniAD.Core;
using UniAD.Core.Configuration;
using UniAD.Lab.Persistence;
using UniAD.Lab.Runs;

namespace UniAD.Lab.Tests;

/// <summary>The one path from a request to queued runs (RunRequests), as the New run form and the API take it: defaults,
/// every rule, the limits, and the config of every seed.</summary>
public abstract class RunRequestsTests(DatabaseProvider database) : IDisposable
{
    public sealed class OnSqlite() : RunRequestsTests(DatabaseProvider.Sqlite);
    public sealed class OnPostgres() : RunRequestsTests(DatabaseProvider.Postgres);

    private readonly Lab _lab = new(database);

    private async Task<RunDraft> ValidAsync()
    {
        var draft = _lab.Requests.NewDraft();
        (draft.DatasetId, draft.Name) = (await _lab.ImportTinyAsync(), "demo");
        return draft;
    }

    private Task<RunPlan> PlanAsync(RunDraft draft) => _lab.Requests.PlanAsync(draft.ToSpec().Spec);

    [Fact]
    public async Task APresetFillsTheFormAndAnAblationAndOverridesShapeTheConfig()
    {
        var draft = await ValidAsync();
        draft.ApplyPreset("paper-cifar");
        Assert.Equal((1000, 16, "131"), (draft.Epochs, draft.BatchSize, draft.Seeds));
        draft.ApplyPreset("quick");
        (draft.Ablation, draft.Seeds, draft.Epochs) = ("vanilla", "1, 2 3", 7);
        draft.Overrides = "model.hidden_dim=64\n# a comment\nbackbone.input_size=[96,96]";

        var plan = await PlanAsync(draft);

        Assert.Empty(plan.Problems);
        Assert.Equal([1, 2, 3], plan.Runs.Select(r => r.Seed));
        Assert.Equal([1, 2, 3], plan.Runs.Select(r => r.Config.Training.Seed));
        Assert.Equal(["demo seed 1", "demo seed 2", "demo seed 3"], plan.Runs.Select(r => r.Name));
        var config = plan.Config!;
        Assert.Equal((7, 64, 96), (config.Training.Epochs, config.Model.HiddenDim, config.Backbone.InputSize[0]));
        Assert.Equal(QueryKind.None, config.Model.Queries);
        Assert.False(config.Model.NeighborMask.Enabled);
        Assert.Equal(("quick", "vanilla"), (plan.Spec.Preset, plan.Spec.Ablation));
    }

    [Fact]
    public async Task ChoosingPatchCoreStartsFromItsPresetAndACloneKeepsTheMethod()
    {
        var draft = await ValidAsync();
        draft.Ablation = "vanilla";
        draft.ChooseMethod(Method.Patchcore);
        Assert.Equal(("patchcore", Presets.FullModel), (draft.Preset, draft.Ablation));
        var plan = await PlanAsync(draft);
        Assert.Empty(plan.Problems);
        Assert.Equal((Method.Patchcore, 224), (plan.Config!.Method, plan.Config.Backbone.InputSize[0]));
        // The API's request names only the method: the same preset.
        var api = await _lab.Requests.PlanAsync(new RunSpec(draft.DatasetId, "api", Method: Method.Patchcore));
        Assert.Equal("patchcore", api.Spec.PresetOrDefault);
        Assert.DoesNotContain(ConfigDiff.Differences(plan.Config, api.Config!), d => d.Key != "training.seed");

        // A run of the quick preset with PatchCore over it clones as that: the method in the form, not in the overrides.
        draft.ApplyPreset("quick");
        draft.ChooseMethod(Method.Patchcore);
        draft.ApplyPreset("quick");
        Assert.Equal(Method.Uniad, draft.Method);                         // a preset brings its own method; an override may change it
        draft.Overrides = "method=patchcore\nbackbone.input_size=[64,64]";
        int id = (await _lab.Requests.QueueAsync(draft.ToSpec().Spec, "ada"))[0];
        var clone = RunDraft.CloneOf((await _lab.Queries.GetAsync(id))!);
        Assert.Equal((Method.Patchcore, "quick", "backbone.input_size=[64,64]"), (clone.Method, clone.Preset, clone.Overrides));
        Assert.Equal(Method.Patchcore, (await PlanAsync(clone)).Config!.Method);
    }

    [Theory]
    [InlineData("model.hiden_dim=64", "", "unknown key 'hiden_dim'")]
    [InlineData("backbone.kind=efficientnet_b4", "1", "EfficientNet-B4 needs ImageNet weights")]
    public async Task EveryProblemIsNamed(string overrides, string seeds, string expected)
    {
        var draft = await ValidAsync();
        draft.Overrides = overrides;
        if (seeds.Length > 0) draft.Seeds = seeds;
        Assert.Contains((await PlanAsync(draft)).Problems, p => p.Contains(expected));
        await Assert.ThrowsAsync<UserException>(() => _lab.Requests.QueueAsync(draft.ToSpec().Spec, "ada"));
        Assert.Equal(0, (await _lab.Queries.PageAsync(new RunPageRequest(0, 10))).Total);
    }

    [Fact]
    public async Task SeedsThatAreNotNumbersAreTheFormsOwnProblem()
    {
        var draft = await ValidAsync();
        draft.Seeds = "one, 2";
        var (spec, problems) = draft.ToSpec();
        Assert.Equal(["seed 'one' is not a whole number"], problems);
        Assert.Null(spec.Seeds);                                           // the request keeps its default seed meanwhile
    }

    [Fact]
    public async Task ADatasetAndANameAreRequired()
    {
        var problems = (await PlanAsync(_lab.Requests.NewDraft())).Problems;
        Assert.Contains("choose a dataset", problems);
        Assert.Contains("give the run a name", problems);
    }

    /// <summary>The form and the API queue the same request on the same device: the lab's, when the request names none.</summary>
    [Fact]
    public async Task WhatARequestLeavesOutTakesTheLabsDefaults()
    {
        _lab.Options.Device = "cpu";                                        // not LabOptions' own default ("auto")
        var dataset = await _lab.ImportTinyAsync();
        var plan = await _lab.Requests.PlanAsync(new RunSpec(dataset, "api"));
        Assert.Empty(plan.Problems);
        Assert.Equal(("cpu", Queues.Training, ConfigRequest.DefaultPreset, Presets.FullModel),
                     (plan.Spec.Device, plan.Spec.Queue, plan.Spec.Preset, plan.Spec.Ablation));
        Assert.Equal(_lab.Requests.NewDraft().Device, plan.Spec.Device);
        Assert.Equal([Presets.QuickCpu.Training.Seed], plan.Runs.Select(r => r.Seed));
        Assert.Equal(Presets.QuickCpu.ToJson(), plan.Config!.ToJson());
    }

    [Fact]
    public async Task CategoriesAndNormalClassesAreCheckedBeforeAnythingIsQueued()
    {
        var dataset = await _lab.ImportTinyAsync();
        var problems = (await _lab.Requests.PlanAsync(new RunSpec(dataset, "x", Categories: ["fabric", "carpet"], NormalClasses: ["01234"]))).Problems;
        Assert.Equal(["the dataset has no category 'carpet'",
                      "normal classes are for a folder-of-classes dataset; tiny is mvtec, whose test set says what is anomalous"], problems);
    }

    [Fact]
    public async Task AFolderOfClassesNeedsNormalClassesItHas()
    {
        using var tiny = new TinyDataset();
        var classes = TinyDataset.FolderOfClasses(tiny);
        using var staged = await _lab.Catalog.StageAsync(new UniAD.Datasets.ImportRequest(classes, "classes"));
        int dataset = (await _lab.Catalog.CommitAsync(staged)).Id;

        Assert.Equal(["classes is a folder of classes: name its normal classes (e.g. 01234)"], (await _lab.Requests.PlanAsync(new RunSpec(dataset, "x"))).Problems);
        Assert.Equal(["normal classes: unknown class 'emu': the dataset has 0=ant, 1=bee, 2=cat, 3=dog"],
            (await _lab.Requests.PlanAsync(new RunSpec(dataset, "x", NormalClasses: ["emu"]))).Problems);
        Assert.Equal(["normal classes: choose some but not all of the classes ant, bee, cat, dog as normal"],
            (await _lab.Requests.PlanAsync(new RunSpec(dataset, "x", NormalClasses: ["0", "1", "cat", "dog"]))).Problems);
        Assert.Empty((await _lab.Requests.PlanAsync(new RunSpec(dataset, "x", NormalClasses: ["0", "cat"]))).Problems);
    }

    [Fact]
    public async Task TheLimitsAreSaidAndNothingIsStored()
    {
        var dataset = await _lab.ImportTinyAsync();
        var plan = await _lab.Requests.PlanAsync(new RunSpec(dataset, new string('n', 100_000), Seeds: [.. Enumerable.Range(1, 5000)]));
        Assert.Equal(["the run's name: 100,000 characters, over the limit of 200 (Lab:Limits:NameLength)",
                      "5000 runs (one per seed); a request queues at most 500 (Lab:Limits:RunsPerRequest)"], plan.Problems);
        await Assert.ThrowsAsync<UserException>(() => _lab.Requests.QueueAsync(plan.Spec, "ada"));
        Assert.Equal(0, (await _lab.Queries.PageAsync(new RunPageRequest(0, 10))).Total);
    }

    public void Dispose() => _lab.Dispose();
}

public abstract class RunCloneTests(DatabaseProvider database)
{
    public sealed class OnSqlite() : RunCloneTests(DatabaseProvider.Sqlite);
    public sealed class OnPostgres() : RunCloneTests(DatabaseProvider.Postgres);

    private static RunRecord Stored(string preset, string ablation, UniadConfig config) => new()
    {
        Name = "ablation", DatasetId = 3, Request = new() { Categories = ["nut"], Preset = preset, Ablation = ablation, Seed = 9, ConfigJson = config.ToJson() },
    };

    [Fact]
    public async Task ACloneQueuesTheSameConfigAgain()
    {
        var config = ConfigOverrides.Apply(Presets.QuickCpu, [.. Presets.Ablations["no-jitter"], "model.hidden_dim=64", "training.epochs=12"]).WithSeed(9);

        var clone = RunDraft.CloneOf(Stored("quick", "no-jitter", config));

        Assert.Equal(("quick", "no-jitter", "ablation (copy)", 3, 12), (clone.Preset, clone.Ablation, clone.Name, clone.DatasetId, clone.Epochs));
        Assert.Equal(["nut"], clone.Categories);
        Assert.Equal("model.hidden_dim=64", clone.Overrides);                  // the ablation is its own field, not an override
        // What the lab would queue for the clone, planned by RunRequests itself on a dataset that has the stored category.
        using var lab = new Lab(database);
        var plan = await lab.Requests.PlanAsync(clone.ToSpec().Spec with { DatasetId = await lab.ImportTinyAsync() });
        Assert.Empty(plan.Problems);
        Assert.Equal(config.ToJson(), Assert.Single(plan.Runs).Config.ToJson());
    }

    /// <summary>An imported run has no preset of the lab's: its clone starts from the preset its config is closest to.</summary>
    [Fact]
    public void ACloneOfAnImportedRunStartsFromTheClosestPreset()
    {
        var imported = Presets.PaperMvtec with { Backbone = Presets.PaperMvtec.Backbone with { WeightsPath = "/kept/b4.safetensors" } };
        var clone = RunDraft.CloneOf(Stored(OfficialImports.Preset, Presets.FullModel, imported));
        Assert.Equal("paper-mvtec", clone.Preset);
        Assert.Equal("backbone.weights_path=\"/kept/b4.safetensors\"", clone.Overrides);
    }
}
