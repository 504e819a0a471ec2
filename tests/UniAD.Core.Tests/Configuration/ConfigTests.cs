using UniAD.Core.Backbones;
using UniAD.Core.Configuration;

namespace UniAD.Core.Tests.Configuration;

public class ConfigTests
{
    [Fact]
    public void DefaultsAreThePapersTrainingAndModelSettings()
    {
        var c = new UniadConfig();
        Assert.Equal((256, 8, 4, 4, 1024, 0.1), (c.Model.HiddenDim, c.Model.Heads, c.Model.EncoderLayers, c.Model.DecoderLayers, c.Model.FeedForwardDim, c.Model.Dropout));
        Assert.Equal((1000, 8, 1e-4, 1e-4, 0.1, 800, 0.1, 133), (c.Training.Epochs, c.Training.BatchSize, c.Training.LearningRate,
            c.Training.WeightDecay, c.Training.ClipGradNorm, c.Training.LrStepEpochs, c.Training.LrGamma, c.Training.Seed));
        Assert.Equal([7, 7], c.Model.NeighborMask.Size);
        Assert.Equal((20.0, 1.0), (c.Model.FeatureJitter.Scale, c.Model.FeatureJitter.Probability));
        Assert.Equal((ImageScoreKind.MaxAvgPool, 16), (c.Evaluation.ImageScore, c.Evaluation.AvgPoolKernel));
    }

    [Theory]
    [InlineData("paper-mvtec", 272)]
    [InlineData("paper-cifar", 720)]
    [InlineData("resnet18", 448)]
    [InlineData("cifar-resnet18", 960)]
    public void PresetsSelectTheOfficialFeatureWidths(string preset, int channels)
    {
        var b = Presets.ByName[preset]().Backbone;
        Assert.Equal(channels, BackboneFactory.Channels(b.Kind, b.OutLayers));
    }

    [Fact]
    public void VanillaTurnsOffExactlyTheThreeUniadComponents()
    {
        var vanilla = Presets.Vanilla(Presets.PaperMvtec);
        Assert.Equal(QueryKind.None, vanilla.Model.Queries);
        Assert.False(vanilla.Model.NeighborMask.Enabled);
        Assert.False(vanilla.Model.FeatureJitter.Enabled);
        Assert.Equal(Presets.PaperMvtec.Training.ToString(), vanilla.Training.ToString());
    }

    [Fact]
    public void JsonRoundTripKeepsEveryField()
    {
        var config = ConfigOverrides.Apply(Presets.QuickCpu, ["model.queries=shared", "model.neighbor_mask.decoder_memory=false"]);
        Assert.Equal(config.ToJson(), UniadConfig.FromJson(config.ToJson()).ToJson());
        Assert.Contains("\"queries\": \"shared\"", config.ToJson());
    }

    [Fact]
    public void OverridesSetNestedValuesFromJsonOrText()
    {
        var config = ConfigOverrides.Apply(new UniadConfig(),
            ["training.epochs=5", "model.neighbor_mask.size=[5,3]", "model.positional_embedding=sine", "backbone.weights_path=/w/b4.pth"]);
        Assert.Equal(5, config.Training.Epochs);
        Assert.Equal([5, 3], config.Model.NeighborMask.Size);
        Assert.Equal(PositionalEmbeddingKind.Sine, config.Model.PositionalEmbedding);
        Assert.Equal("/w/b4.pth", config.Backbone.WeightsPath);
    }

    [Theory]
    [InlineData("training.epoch=5", "unknown key 'epoch'")]
    [InlineData("trainer.epochs=5", "no config section 'trainer'")]
    [InlineData("epochs", "not of the form key=value")]
    [InlineData("training.epochs=many", "invalid override value")]
    public void BadOverridesAreNamed(string assignment, string message) =>
        Assert.Contains(message, Assert.Throws<ConfigException>(() => ConfigOverrides.Apply(new UniadConfig(), [assignment])).Message);
}

public class FeatureExtractorSetupTests
{
    [Fact]
    public void EfficientNetWithoutWeightsIsRefusedBeforeAnythingRuns()
    {
        var config = Presets.PaperMvtec.Backbone;
        var error = Assert.Throws<ConfigException>(() => new UniAD.Core.Features.FeatureExtractor(config, TorchSharp.torch.CPU));
        Assert.Contains("Refusing to train on random weights", error.Message);
    }

    [Fact]
    public void TheShippedResNetIsIdentifiedByItsPackageAndAUsersFileByItsContent()
    {
        Assert.Equal(BackboneFactory.DefaultResNet18Weights, BackboneFactory.WeightsIdentity(new BackboneConfig()));
        var file = Path.GetTempFileName();
        File.WriteAllText(file, "weights");
        var a = BackboneFactory.WeightsIdentity(new BackboneConfig { WeightsPath = file });
        File.WriteAllText(file, "weights!");
        Assert.NotEqual(a, BackboneFactory.WeightsIdentity(new BackboneConfig { WeightsPath = file }));
    }
}

public class ConfigDiffTests
{
    [Fact]
    public void DifferencesAreTheOverridesThatRebuildTheTarget()
    {
        var baseline = Presets.QuickCpu;
        var target = ConfigOverrides.Apply(baseline, ["model.hidden_dim=64", "backbone.input_size=[96,96]", "model.queries=none"]);

        var differences = ConfigDiff.Differences(baseline, target);
        Assert.Equal(["backbone.input_size", "model.hidden_dim", "model.queries"], differences.Select(d => d.Key));
        Assert.Equal(("256", "64"), (differences[1].Left, differences[1].Right));
        Assert.Equal(target.ToJson(), ConfigOverrides.Apply(baseline, ConfigDiff.Overrides(baseline, target)).ToJson());
        Assert.Empty(ConfigDiff.Differences(target, target));
    }
}
