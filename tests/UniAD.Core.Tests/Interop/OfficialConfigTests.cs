using UniAD.Core.Configuration;
using UniAD.Core.Interop;

namespace UniAD.Core.Tests.Interop;

public class OfficialConfigTests
{
    [Fact]
    public void ThePaperConfigGoesToTheOfficialYamlAndBack()
    {
        var paper = Presets.PaperMvtec with { Backbone = Presets.PaperMvtec.Backbone with { WeightsPath = "/w/b4.pth" } };
        var back = OfficialConfig.FromYaml(OfficialConfigWriter.ToYaml(paper));
        // The YAML does not name the weights file (the official code downloads it); imports use full-precision features.
        Assert.Equal(["backbone.weights_path", "training.cache_features_half"],
            ConfigDiff.Differences(paper, back).Select(d => d.Key));
        Assert.False(back.Training.CacheFeaturesHalf);
    }

    [Fact]
    public void AYamlWithoutMaskJitterOrPixelMetricsReadsAsSuch()
    {
        var config = OfficialConfig.FromYaml("""
            random_seed: 131
            dataset:
              input_size: [224, 224]
              batch_size: 16
            trainer:
              max_epoch: 500
              val_freq_epoch: 5
              lr_scheduler: {type: StepLR, kwargs: {step_size: 400, gamma: 0.5}}
              optimizer: {type: AdamW, kwargs: {lr: 0.0002, betas: [0.9, 0.999], weight_decay: 0.001}}
            evaluator:
              key_metric: mean_mean_auc
              metrics:
                auc: [{name: std}, {name: max, kwargs: {avgpool_size: [8, 8]}}, {name: mean}]
            net:
              - {name: backbone, type: models.backbones.efficientnet_b4, kwargs: {outlayers: [1, 2, 3, 4, 5]}}
              - {name: neck, type: models.necks.MFCN, kwargs: {outstrides: [16]}}
              - name: reconstruction
                type: models.reconstructions.UniAD
                kwargs: {pos_embed_type: sine, hidden_dim: 128, nhead: 4, num_encoder_layers: 2, num_decoder_layers: 3,
                         dim_feedforward: 512, dropout: 0.0, activation: relu, normalize_before: False}
            """);
        Assert.Equal((131, 16, 500, 5, 400, 0.5, 2e-4, 1e-3), (config.Training.Seed, config.Training.BatchSize, config.Training.Epochs,
            config.Training.EvaluateEveryEpochs, config.Training.LrStepEpochs, config.Training.LrGamma, config.Training.LearningRate, config.Training.WeightDecay));
        Assert.Equal([1, 2, 3, 4, 5], config.Backbone.OutLayers);
        Assert.Equal((PositionalEmbeddingKind.Sine, 128, 4, 2, 3, 512, 0.0), (config.Model.PositionalEmbedding, config.Model.HiddenDim,
            config.Model.Heads, config.Model.EncoderLayers, config.Model.DecoderLayers, config.Model.FeedForwardDim, config.Model.Dropout));
        Assert.False(config.Model.NeighborMask.Enabled);
        Assert.False(config.Model.FeatureJitter.Enabled);
        Assert.Equal((ImageScoreKind.Mean, 8, false), (config.Evaluation.ImageScore, config.Evaluation.AvgPoolKernel, config.Evaluation.PixelMetrics));
    }

    [Theory]
    [InlineData("trainer: {optimizer: {type: SGD}}", "trainer.optimizer.type SGD: the lab has AdamW only")]
    [InlineData("trainer: {lr_scheduler: {type: CosineAnnealingLR}}", "trainer.lr_scheduler.type CosineAnnealingLR: the lab has StepLR only")]
    [InlineData("dataset: {train: {hflip: True}}", "dataset.train.hflip: the lab trains without augmentation")]
    [InlineData("dataset: {batch_size: eight}", "dataset.batch_size should be a whole number, not eight")]
    [InlineData("dataset: {input_size: 224}", "dataset.input_size should be a list")]
    [InlineData("criterion: [{type: SSIMLoss}]", "criterion SSIMLoss: the lab trains with FeatureMSELoss only")]
    [InlineData("random_seed: 1", "net has no part named backbone")]
    public void WhatTheLabCannotFollowIsNamed(string yaml, string message)
    {
        const string net = "net: [{name: backbone, type: models.backbones.efficientnet_b4, kwargs: {outlayers: [1]}}, " +
                           "{name: neck, type: models.necks.MFCN}, {name: reconstruction, type: models.reconstructions.UniAD}]\n";
        var error = Assert.Throws<InvalidFileException>(() => OfficialConfig.FromYaml((yaml.StartsWith("random_seed") ? "" : net) + yaml));
        Assert.StartsWith(message, error.Message);
    }

    [Fact]
    public void OnlyEfficientNetB4RunsCanBeExported()
    {
        var error = Assert.Throws<InvalidFileException>(() => OfficialConfigWriter.ToYaml(Presets.ResNet18));
        Assert.StartsWith("backbone Resnet18: the official code has no such backbone", error.Message);
    }
}
