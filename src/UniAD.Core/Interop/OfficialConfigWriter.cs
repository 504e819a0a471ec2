using System.Globalization;
using System.Text;
using UniAD.Core.Configuration;

namespace UniAD.Core.Interop;

/// <summary>A lab config written as the official code's experiment YAML (docs/model.md section 6), the reverse of
/// <see cref="OfficialConfig.FromYaml"/>: what an exported run is trained and evaluated with by the official scripts.</summary>
public static class OfficialConfigWriter
{
    /// <summary>The official YAML for a lab config, in the layout of the official MVTec-AD config. The dataset
    /// paths are the official ones: point them at your copy of the data.</summary>
    public static string ToYaml(UniadConfig config)
    {
        if (config.Method != Method.Uniad)
            throw new InvalidFileException($"method {config.Method}: the official UniAD code trains only UniAD; a PatchCore run has no UniAD checkpoint to export");
        if (config.Backbone.Kind != BackboneKind.EfficientnetB4)
            throw new InvalidFileException($"backbone {config.Backbone.Kind}: the official code has no such backbone " +
                "(the lab's ResNet-18 is CNTK's recipe, not torchvision's); only EfficientNet-B4 runs can be exported");
        var (b, m, t, e) = (config.Backbone, config.Model, config.Training, config.Evaluation);
        string List<T>(IEnumerable<T> values) => "[" + string.Join(", ", values.Select(v => Format(v!))) + "]";
        var imageScore = e.ImageScore switch { ImageScoreKind.Mean => "mean", ImageScoreKind.Std => "std", _ => "max" };
        var yaml = new StringBuilder();
        yaml.Append(CultureInfo.InvariantCulture, $"""
            version: v1.0.0
            random_seed: {t.Seed}
            port: 11111

            dataset:
              type: custom
              image_reader:
                type: opencv
                kwargs:
                  image_dir: ../../data/MVTec-AD/mvtec_anomaly_detection/
                  color_mode: RGB
              train:
                meta_file: ../../data/MVTec-AD/train.json
                rebalance: False
                hflip: False
                vflip: False
                rotate: False
              test:
                meta_file: ../../data/MVTec-AD/test.json
              input_size: {List(b.InputSize)}
              pixel_mean: [0.485, 0.456, 0.406]
              pixel_std: [0.229, 0.224, 0.225]
              batch_size: {t.BatchSize}
              workers: 4

            criterion:
              - name: FeatureMSELoss
                type: FeatureMSELoss
                kwargs:
                  weight: 1.0

            trainer:
              max_epoch: {t.Epochs}
              clip_max_norm: {Format(t.ClipGradNorm)}
              val_freq_epoch: {Math.Max(1, t.EvaluateEveryEpochs)}
              print_freq_step: 1
              tb_freq_step: 1
              lr_scheduler:
                type: StepLR
                kwargs:
                  step_size: {t.LrStepEpochs}
                  gamma: {Format(t.LrGamma)}
              optimizer:
                type: AdamW
                kwargs:
                  lr: {Format(t.LearningRate)}
                  betas: [0.9, 0.999]
                  weight_decay: {Format(t.WeightDecay)}

            saver:
              auto_resume: False
              always_save: False
              load_path: checkpoints/ckpt.pth.tar
              save_dir: checkpoints/
              log_dir: log/

            evaluator:
              save_dir: result_eval_temp
              key_metric: {(e.PixelMetrics ? "mean_pixel_auc" : $"mean_{imageScore}_auc")}
              metrics:
                auc:
                  - name: std
                  - name: max
                    kwargs:
                      avgpool_size: [{e.AvgPoolKernel}, {e.AvgPoolKernel}]
                  - name: mean

            """);
        if (e.PixelMetrics) yaml.Append("      - name: pixel\n");
        yaml.Append(CultureInfo.InvariantCulture, $"""

            frozen_layers: [backbone]

            net:
              - name: backbone
                type: {OfficialConfig.EfficientNetB4Type}
                frozen: True
                kwargs:
                  pretrained: True
                  outlayers: {List(b.OutLayers)}
              - name: neck
                prev: backbone
                type: models.necks.MFCN
                kwargs:
                  outstrides: [{b.OutStride}]
              - name: reconstruction
                prev: neck
                type: models.reconstructions.UniAD
                kwargs:
                  pos_embed_type: {(m.PositionalEmbedding == PositionalEmbeddingKind.Sine ? "sine" : "learned")}
                  hidden_dim: {m.HiddenDim}
                  nhead: {m.Heads}
                  num_encoder_layers: {m.EncoderLayers}
                  num_decoder_layers: {m.DecoderLayers}
                  dim_feedforward: {m.FeedForwardDim}
                  dropout: {Format(m.Dropout)}
                  activation: relu
                  normalize_before: False

            """);
        if (m.FeatureJitter.Enabled)
            yaml.Append(CultureInfo.InvariantCulture, $"      feature_jitter:\n        scale: {Format(m.FeatureJitter.Scale)}\n        prob: {Format(m.FeatureJitter.Probability)}\n");
        if (m.NeighborMask.Enabled)
            yaml.Append(CultureInfo.InvariantCulture, $"      neighbor_mask:\n        neighbor_size: {List(m.NeighborMask.Size)}\n" +
                $"        mask: {List(new[] { m.NeighborMask.Encoder, m.NeighborMask.DecoderMemory, m.NeighborMask.DecoderPrevious })}\n");
        yaml.Append("      initializer:\n        method: xavier_uniform\n");
        return yaml.ToString();
    }

    /// <summary>A value as the official YAML spells it: Python's True and False, a float always with a point or exponent.</summary>
    private static string Format(object value) => value switch
    {
        bool flag => flag ? "True" : "False",
        double d => d.ToString("R", CultureInfo.InvariantCulture) is var s && (s.Contains('.') || s.Contains('E')) ? s : s + ".0",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString()!,
    };
}
