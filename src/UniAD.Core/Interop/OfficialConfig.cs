using System.Globalization;
using UniAD.Core.Configuration;

namespace UniAD.Core.Interop;

/// <summary>The official code's experiment YAML (<c>experiments/MVTec-AD/config.yaml</c>, docs/model.md section 6) read as
/// the lab's config (<see cref="OfficialConfigWriter"/> writes one). What the lab cannot do as the YAML asks (another
/// backbone, loss, optimizer or schedule, augmentation, pre-norm) is refused with the key named; what only concerns the
/// official scripts (paths, ports, workers, logging, visualisation) is not needed and not read.</summary>
public static class OfficialConfig
{
    public const string EfficientNetB4Type = "models.backbones.efficientnet_b4";

    /// <exception cref="InvalidFileException">The YAML asks for something the lab does not do, or is malformed; the message names the key.</exception>
    public static UniadConfig FromYaml(string yaml)
    {
        var y = OfficialYamlNode.Parse(yaml);
        var defaults = new UniadConfig();

        var dataset = y.Child("dataset");
        foreach (var flip in new[] { "hflip", "vflip", "rotate" })
            if (dataset.Child("train").Bool(flip) == true)
                throw new InvalidFileException($"dataset.train.{flip}: the lab trains without augmentation, as the official MVTec-AD config does");
        RequireIfPresent(dataset.Doubles("pixel_mean"), [0.485, 0.456, 0.406], "dataset.pixel_mean", "the lab normalises with the ImageNet mean");
        RequireIfPresent(dataset.Doubles("pixel_std"), [0.229, 0.224, 0.225], "dataset.pixel_std", "the lab normalises with the ImageNet std");

        foreach (var criterion in y.Items("criterion"))
            if (criterion.String("type") is { } type && type != "FeatureMSELoss")
                throw new InvalidFileException($"criterion {type}: the lab trains with FeatureMSELoss only");

        var trainer = y.Child("trainer");
        var schedule = trainer.Child("lr_scheduler");
        if (schedule.String("type") is { } scheduleType && scheduleType != "StepLR")
            throw new InvalidFileException($"trainer.lr_scheduler.type {scheduleType}: the lab has StepLR only");
        var optimizer = trainer.Child("optimizer");
        if (optimizer.String("type") is { } optimizerType && optimizerType != "AdamW")
            throw new InvalidFileException($"trainer.optimizer.type {optimizerType}: the lab has AdamW only");
        RequireIfPresent(optimizer.Child("kwargs").Doubles("betas"), [0.9, 0.999], "trainer.optimizer.kwargs.betas", "the lab's AdamW uses betas [0.9, 0.999]");

        var net = y.Items("net").ToDictionary(n => n.String("name") ?? "", n => n);
        var backbone = net.GetValueOrDefault(OfficialCheckpoint.Backbone) ?? throw new InvalidFileException("net has no part named backbone");
        if (backbone.String("type") != EfficientNetB4Type)
            throw new InvalidFileException($"net backbone type {backbone.String("type") ?? "(none)"}: the lab has no such backbone " +
                "(of the official ones it has EfficientNet-B4; its ResNet-18 is CNTK's, not torchvision's)");
        var neck = net.GetValueOrDefault("neck") ?? throw new InvalidFileException("net has no part named neck");
        if (neck.String("type") != "models.necks.MFCN")
            throw new InvalidFileException($"net neck type {neck.String("type") ?? "(none)"}: the lab has the MFCN neck only");
        var outStrides = neck.Child("kwargs").Ints("outstrides") ?? [defaults.Backbone.OutStride];
        if (outStrides.Length != 1) throw new InvalidFileException("net neck kwargs.outstrides: the lab takes one stride");
        var reconstruction = net.GetValueOrDefault(OfficialCheckpoint.Reconstruction) ?? throw new InvalidFileException("net has no part named reconstruction");
        if (reconstruction.String("type") != "models.reconstructions.UniAD")
            throw new InvalidFileException($"net reconstruction type {reconstruction.String("type") ?? "(none)"}: the lab has UniAD only");
        var r = reconstruction.Child("kwargs");
        if (r.String("activation") is { } activation && activation != "relu")
            throw new InvalidFileException($"net reconstruction kwargs.activation {activation}: the lab's transformer uses relu");
        if (r.Bool("normalize_before") == true)
            throw new InvalidFileException("net reconstruction kwargs.normalize_before: the lab's transformer is post-norm, as the official config");

        var jitter = r.Child("feature_jitter");
        var mask = r.Child("neighbor_mask");
        var maskSites = mask.Bools("mask") ?? [true, true, true];
        if (maskSites.Length != 3) throw new InvalidFileException("net reconstruction kwargs.neighbor_mask.mask: three flags [encoder, decoder 1, decoder 2]");
        var metrics = y.Child("evaluator").Child("metrics").Items("auc").ToList();
        var names = metrics.Select(m => m.String("name")).ToList();
        var pool = metrics.FirstOrDefault(m => m.String("name") == "max")?.Child("kwargs").Ints("avgpool_size") ?? [defaults.Evaluation.AvgPoolKernel, defaults.Evaluation.AvgPoolKernel];
        if (pool.Length != 2 || pool[0] != pool[1]) throw new InvalidFileException("evaluator max avgpool_size: the lab pools with a square kernel");

        return new UniadConfig
        {
            Backbone = new BackboneConfig
            {
                Kind = BackboneKind.EfficientnetB4,
                OutLayers = backbone.Child("kwargs").Ints("outlayers") ?? throw new InvalidFileException("net backbone kwargs.outlayers is missing"),
                OutStride = outStrides[0],
                InputSize = dataset.Ints("input_size") ?? defaults.Backbone.InputSize,
            },
            Model = new ReconstructionConfig
            {
                HiddenDim = r.Int("hidden_dim") ?? defaults.Model.HiddenDim,
                Heads = r.Int("nhead") ?? defaults.Model.Heads,
                EncoderLayers = r.Int("num_encoder_layers") ?? defaults.Model.EncoderLayers,
                DecoderLayers = r.Int("num_decoder_layers") ?? defaults.Model.DecoderLayers,
                FeedForwardDim = r.Int("dim_feedforward") ?? defaults.Model.FeedForwardDim,
                Dropout = r.Double("dropout") ?? defaults.Model.Dropout,
                PositionalEmbedding = (r.String("pos_embed_type") ?? "learned") switch
                {
                    "learned" or "v3" => PositionalEmbeddingKind.Learned,
                    "sine" or "v2" => PositionalEmbeddingKind.Sine,
                    var other => throw new InvalidFileException($"net reconstruction kwargs.pos_embed_type {other}: learned or sine"),
                },
                FeatureJitter = jitter.Exists
                    ? new FeatureJitterConfig { Scale = jitter.Double("scale") ?? 20, Probability = jitter.Double("prob") ?? 1 }
                    : new FeatureJitterConfig { Enabled = false },
                NeighborMask = mask.Exists
                    ? new NeighborMaskConfig
                    {
                        Size = mask.Ints("neighbor_size") ?? defaults.Model.NeighborMask.Size,
                        Encoder = maskSites[0], DecoderMemory = maskSites[1], DecoderPrevious = maskSites[2],
                    }
                    : new NeighborMaskConfig { Enabled = false },
            },
            Training = new TrainingConfig
            {
                Epochs = trainer.Int("max_epoch") ?? defaults.Training.Epochs,
                BatchSize = dataset.Int("batch_size") ?? defaults.Training.BatchSize,
                LearningRate = optimizer.Child("kwargs").Double("lr") ?? defaults.Training.LearningRate,
                WeightDecay = optimizer.Child("kwargs").Double("weight_decay") ?? defaults.Training.WeightDecay,
                ClipGradNorm = trainer.Double("clip_max_norm") ?? defaults.Training.ClipGradNorm,
                LrStepEpochs = schedule.Child("kwargs").Int("step_size") ?? defaults.Training.LrStepEpochs,
                LrGamma = schedule.Child("kwargs").Double("gamma") ?? defaults.Training.LrGamma,
                Seed = y.Int("random_seed") ?? defaults.Training.Seed,
                EvaluateEveryEpochs = trainer.Int("val_freq_epoch") ?? defaults.Training.EvaluateEveryEpochs,
                // Official weights are judged on the features they were trained on: full precision (docs/model.md section 2).
                CacheFeaturesHalf = false,
            },
            Evaluation = new EvaluationConfig
            {
                ImageScore = ImageScoreOf(y.Child("evaluator").String("key_metric"), names),
                AvgPoolKernel = pool[0],
                PixelMetrics = names.Contains("pixel"),
            },
        };
    }

    /// <summary>The image score the official run was judged by: the one its key metric names, else <c>max</c> when
    /// listed (the paper's MVTec-AD score), else the first listed.</summary>
    private static ImageScoreKind ImageScoreOf(string? keyMetric, IReadOnlyList<string?> names)
    {
        static ImageScoreKind? Kind(string? name) => name switch
        {
            "max" => ImageScoreKind.MaxAvgPool, "mean" => ImageScoreKind.Mean, "std" => ImageScoreKind.Std, _ => null,
        };
        var named = keyMetric is { } k && k.StartsWith("mean_") && k.EndsWith("_auc") ? Kind(k["mean_".Length..^"_auc".Length]) : null;
        return named ?? (names.Contains("max") ? ImageScoreKind.MaxAvgPool : names.Select(Kind).FirstOrDefault(n => n is not null) ?? ImageScoreKind.MaxAvgPool);
    }

    private static void RequireIfPresent(double[]? values, double[] expected, string key, string why)
    {
        if (values is not null && !values.SequenceEqual(expected))
            throw new InvalidFileException($"{key} [{string.Join(", ", values.Select(v => v.ToString(CultureInfo.InvariantCulture)))}]: {why}");
    }
}
