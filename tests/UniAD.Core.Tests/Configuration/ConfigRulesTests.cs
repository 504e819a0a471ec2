using UniAD.Core.Configuration;

namespace UniAD.Core.Tests.Configuration;

/// <summary>Every rule the engine enforces while training, checked when the config is built, with the key named.</summary>
public class ConfigRulesTests
{
    [Fact]
    public void EveryPresetPasses()
    {
        foreach (var (name, make) in Presets.ByName) Assert.True(ConfigRules.Problems(make()).Count == 0, name);
        foreach (var (name, ablation) in Presets.Ablations) Assert.Empty(ConfigRules.Problems(ConfigOverrides.Apply(Presets.QuickCpu, ablation)));
    }

    [Theory]
    // The six a new user got queued, each of which then failed inside the job:
    [InlineData("backbone.input_size=[7,7]", "backbone.input_size [7, 7] is not a multiple of backbone.out_stride 16")]
    [InlineData("model.neighbor_mask.size=[99,99]", "model.neighbor_mask.size [99, 99] covers the whole 8x8 token grid: some tokens would have no key left to attend to")]
    [InlineData("model.heads=3", "model.heads 3 must divide model.hidden_dim 256")]
    [InlineData("training.learning_rate=-1", "training.learning_rate -1 must be a positive number")]
    [InlineData("model.dropout=2", "model.dropout 2 must be in [0, 1)")]
    [InlineData("backbone.out_layers=[9]", "backbone.out_layers [9]: Resnet18 has layers 1 to 4; give distinct ones")]
    // and more of the same kind:
    [InlineData("training.epochs=0", "training.epochs 0 must be at least 1")]
    [InlineData("training.batch_size=-2", "training.batch_size -2 must be at least 1")]
    [InlineData("training.evaluate_every_epochs=-1", "training.evaluate_every_epochs -1 must be 0 (only after the last epoch) or more")]
    [InlineData("model.feature_jitter.probability=1.5", "model.feature_jitter.probability 1.5 must be in [0, 1]")]
    [InlineData("backbone.out_layers=[2,2]", "backbone.out_layers [2, 2]: Resnet18 has layers 1 to 4; give distinct ones")]
    [InlineData("model.decoder_layers=0", "model.decoder_layers 0 must be at least 1")]
    [InlineData("evaluation.avg_pool_kernel=500", "evaluation.avg_pool_kernel 500 must be between 1 and the input size")]
    [InlineData("evaluation.aupro_max_fpr=0", "evaluation.aupro_max_fpr 0 must be in (0, 1]")]
    public void ABadValueIsNamedWithItsKey(string assignment, string problem)
    {
        var config = ConfigOverrides.Apply(Presets.QuickCpu, [assignment]);
        Assert.Contains(problem, ConfigRules.Problems(config));
        Assert.Contains(problem, Assert.Throws<ConfigException>(() => ConfigRules.Check(config)).Message);
    }

    [Fact]
    public void NotANumberIsRefused()
    {
        var config = Presets.QuickCpu with { Training = Presets.QuickCpu.Training with { LearningRate = double.NaN, LrGamma = double.PositiveInfinity } };
        Assert.Equal(["training.learning_rate NaN must be a positive number", "training.lr_gamma Infinity must be a positive number"], ConfigRules.Problems(config));
    }

    [Fact]
    public void EfficientNetB4TakesFiveLayersInIncreasingOrder()
    {
        Assert.Empty(ConfigRules.Problems(Presets.PaperCifar));
        var unordered = Presets.PaperMvtec with { Backbone = Presets.PaperMvtec.Backbone with { OutLayers = [3, 1] } };
        Assert.Equal(["backbone.out_layers [3, 1]: EfficientNet-B4 takes them in increasing order"], ConfigRules.Problems(unordered));
    }
}

/// <summary>A config names its method; PatchCore's keys have rules of their own, and UniAD's do not apply to it.</summary>
public class MethodConfigTests
{
    [Fact]
    public void AConfigWrittenBeforeTheMethodKeyReadsAsUniad()
    {
        var json = System.Text.Json.Nodes.JsonNode.Parse(Presets.QuickCpu.ToJson())!.AsObject();
        json.Remove("method");
        json.Remove("patchcore");
        Assert.Equal(Method.Uniad, UniadConfig.FromStoredJson(json.ToJsonString(), strict: true).Method);
        Assert.Equal(Method.Patchcore, UniadConfig.FromJson(Presets.PatchCore.ToJson(), strict: true).Method);
    }

    [Fact]
    public void TheMethodAloneStartsFromItsOwnPresetAndOverAPresetChangesOnlyTheMethod()
    {
        var patchcore = new ConfigRequest { Method = Method.Patchcore }.Build();
        Assert.Empty(ConfigDiff.Differences(Presets.PatchCore, patchcore));
        Assert.Equal([2, 3], patchcore.Backbone.OutLayers);
        Assert.Equal([224, 224], patchcore.Backbone.InputSize);
        Assert.Equal((0.1, PatchImageScore.Max), (patchcore.Patchcore.CoresetFraction, patchcore.Patchcore.ImageScore));
        Assert.Empty(ConfigDiff.Differences(Presets.QuickCpu, new ConfigRequest().Build()));

        var quick = new ConfigRequest { Preset = "quick", Method = Method.Patchcore }.Build();
        Assert.Equal([new ConfigDifference("method", "\"uniad\"", "\"patchcore\"")], ConfigDiff.Differences(Presets.QuickCpu, quick));
        Assert.Empty(ConfigDiff.Differences(quick, new ConfigRequest { Preset = "quick", Overrides = ["method=patchcore"] }.Build()));
        Assert.Equal(0.01, new ConfigRequest { Method = Method.Patchcore, Overrides = ["patchcore.coreset_fraction=0.01"] }.Build().Patchcore.CoresetFraction);
    }

    [Fact]
    public void AnAblationOfUniadsTransformerIsRefusedForPatchCore()
    {
        var refused = Assert.Throws<ConfigException>(() => new ConfigRequest { Method = Method.Patchcore, Ablation = "vanilla" }.Build());
        Assert.Equal("ablation 'vanilla' removes a part of UniAD's transformer, which a PatchCore run does not have", refused.Message);
    }

    [Theory]
    [InlineData("patchcore.patch_size=2", "patchcore.patch_size 2 must be odd and at least 1")]
    [InlineData("patchcore.coreset_fraction=0", "patchcore.coreset_fraction 0 must be in (0, 1]")]
    [InlineData("patchcore.coreset_fraction=1.5", "patchcore.coreset_fraction 1.5 must be in (0, 1]")]
    [InlineData("patchcore.dimension=0", "patchcore.dimension 0 must be at least 1")]
    [InlineData("patchcore.sigma=-1", "patchcore.sigma -1 must be 0 (no smoothing) or more")]
    [InlineData("patchcore.memory_budget_mb=0", "patchcore.memory_budget_mb 0 must be at least 1")]
    [InlineData("backbone.out_layers=[3,2]", "backbone.out_layers [3, 2]: PatchCore takes them in increasing order")]
    [InlineData("backbone.input_size=[100,100]", "backbone.input_size [100, 100] is not a multiple of 8, the stride of layer 2 whose grid PatchCore's patches are on")]
    public void APatchCoreValueIsNamedWithItsKey(string assignment, string problem) =>
        Assert.Contains(problem, ConfigRules.Problems(ConfigOverrides.Apply(Presets.PatchCore, [assignment])));

    [Fact]
    public void UniadsRulesDoNotApplyToPatchCore()
    {
        // 40×40 has no whole 16-pixel token grid (UniAD), but a whole 8-pixel patch grid (PatchCore, layer 2); PatchCore trains no epochs.
        string[] overrides = ["backbone.input_size=[40,40]", "training.epochs=0", "model.heads=3"];
        Assert.Empty(ConfigRules.Problems(ConfigOverrides.Apply(Presets.PatchCore, overrides)));
        Assert.Equal(3, ConfigRules.Problems(ConfigOverrides.Apply(Presets.QuickCpu, overrides)).Count);
    }

    [Fact]
    public void APatchCoreConfigHasNoOfficialUniadExport()
    {
        var refused = Assert.Throws<InvalidFileException>(() => UniAD.Core.Interop.OfficialConfigWriter.ToYaml(Presets.PatchCore));
        Assert.Contains("method Patchcore", refused.Message);
    }
}
