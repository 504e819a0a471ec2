using System.Globalization;
using UniAD.Core.Backbones;

namespace UniAD.Core.Configuration;

/// <summary>Every rule a config must meet for the engine to train it, checked when the config is built (the CLI, the
/// lab's forms and its API all call <see cref="Check"/>), so that a bad value is refused with the key named before
/// anything is queued or computed, instead of failing inside a job.</summary>
public static class ConfigRules
{
    /// <summary>Each problem, one line naming the key; empty when the config can be trained.</summary>
    public static IReadOnlyList<string> Problems(UniadConfig config)
    {
        var problems = new List<string>();
        void Rule(bool holds, string problem)
        {
            if (!holds) problems.Add(problem);
        }

        var (b, m, t, e) = (config.Backbone, config.Model, config.Training, config.Evaluation);
        int maxLayer = b.Kind == BackboneKind.EfficientnetB4 ? 5 : 4;
        bool layersOk = b.OutLayers.Length > 0 && b.OutLayers.All(l => l >= 1 && l <= maxLayer) && b.OutLayers.Distinct().Count() == b.OutLayers.Length;
        Rule(layersOk, $"backbone.out_layers {List(b.OutLayers)}: {b.Kind} has layers 1 to {maxLayer}; give distinct ones");
        Rule(b.Kind != BackboneKind.EfficientnetB4 && config.Method == Method.Uniad || b.OutLayers.Zip(b.OutLayers.Skip(1)).All(p => p.First < p.Second),
            $"backbone.out_layers {List(b.OutLayers)}: {(config.Method == Method.Patchcore ? "PatchCore" : "EfficientNet-B4")} takes them in increasing order");
        bool sizeOk = b.InputSize.Length == 2 && b.InputSize.All(s => s >= 1);
        Rule(sizeOk, $"backbone.input_size {List(b.InputSize)} must be [height, width], both at least 1");
        Rule(t.BatchSize >= 1, $"training.batch_size {t.BatchSize} must be at least 1");
        if (config.Method == Method.Patchcore) PatchcoreRules(config.Patchcore, b, layersOk && sizeOk, Rule);
        else UniadRules(config, sizeOk, Rule);

        Rule(e.AvgPoolKernel >= 1 && (!sizeOk || e.AvgPoolKernel <= b.InputSize.Min()),
            $"evaluation.avg_pool_kernel {e.AvgPoolKernel} must be between 1 and the input size");
        Rule(e.AuproMaxFpr is > 0 and <= 1, $"evaluation.aupro_max_fpr {Number(e.AuproMaxFpr)} must be in (0, 1]");
        return problems;
    }

    /// <summary>The rules of UniAD's keys: its token grid, transformer and training.</summary>
    private static void UniadRules(UniadConfig config, bool sizeOk, Action<bool, string> Rule)
    {
        var (b, m, t) = (config.Backbone, config.Model, config.Training);
        Rule(b.OutStride >= 1, $"backbone.out_stride {b.OutStride} must be at least 1");
        bool gridOk = sizeOk && b.OutStride >= 1 && b.InputSize.All(s => s % b.OutStride == 0);
        if (sizeOk && b.OutStride >= 1)
            Rule(gridOk, $"backbone.input_size {List(b.InputSize)} is not a multiple of backbone.out_stride {b.OutStride}");
        var (gridHeight, gridWidth) = gridOk ? (b.InputSize[0] / b.OutStride, b.InputSize[1] / b.OutStride) : (0, 0);

        Rule(m.HiddenDim >= 1, $"model.hidden_dim {m.HiddenDim} must be at least 1");
        Rule(m.Heads >= 1 && m.HiddenDim % Math.Max(1, m.Heads) == 0,
            $"model.heads {m.Heads} must divide model.hidden_dim {m.HiddenDim}");
        Rule(m.EncoderLayers >= 0, $"model.encoder_layers {m.EncoderLayers} must be 0 or more");
        Rule(m.DecoderLayers >= 1, $"model.decoder_layers {m.DecoderLayers} must be at least 1");
        Rule(m.FeedForwardDim >= 1, $"model.feed_forward_dim {m.FeedForwardDim} must be at least 1");
        Rule(m.Dropout is >= 0 and < 1, $"model.dropout {Number(m.Dropout)} must be in [0, 1)");
        var mask = m.NeighborMask;
        if (mask.Enabled)
        {
            bool maskSizeOk = mask.Size.Length == 2 && mask.Size.All(s => s >= 1);
            Rule(maskSizeOk, $"model.neighbor_mask.size {List(mask.Size)} must be [height, width], both at least 1");
            // The centre token's window may not be the whole grid: it would have no key left to attend to.
            if (maskSizeOk && gridOk)
                Rule(mask.Size[0] / 2 < gridHeight / 2 || mask.Size[1] / 2 < gridWidth / 2,
                    $"model.neighbor_mask.size {List(mask.Size)} covers the whole {gridHeight}x{gridWidth} token grid: some tokens would have no key left to attend to");
        }
        var jitter = m.FeatureJitter;
        Rule(double.IsFinite(jitter.Scale) && jitter.Scale >= 0, $"model.feature_jitter.scale {Number(jitter.Scale)} must be 0 or more");
        Rule(jitter.Probability is >= 0 and <= 1, $"model.feature_jitter.probability {Number(jitter.Probability)} must be in [0, 1]");

        Rule(t.Epochs >= 1, $"training.epochs {t.Epochs} must be at least 1");
        Rule(double.IsFinite(t.LearningRate) && t.LearningRate > 0, $"training.learning_rate {Number(t.LearningRate)} must be a positive number");
        Rule(double.IsFinite(t.WeightDecay) && t.WeightDecay >= 0, $"training.weight_decay {Number(t.WeightDecay)} must be 0 or more");
        Rule(double.IsFinite(t.ClipGradNorm) && t.ClipGradNorm > 0, $"training.clip_grad_norm {Number(t.ClipGradNorm)} must be a positive number");
        Rule(t.LrStepEpochs >= 1, $"training.lr_step_epochs {t.LrStepEpochs} must be at least 1");
        Rule(double.IsFinite(t.LrGamma) && t.LrGamma > 0, $"training.lr_gamma {Number(t.LrGamma)} must be a positive number");
        Rule(t.CheckpointEveryEpochs >= 1, $"training.checkpoint_every_epochs {t.CheckpointEveryEpochs} must be at least 1");
        Rule(t.EvaluateEveryEpochs >= 0, $"training.evaluate_every_epochs {t.EvaluateEveryEpochs} must be 0 (only after the last epoch) or more");
    }

    /// <summary>The rules of PatchCore's keys; UniAD's (the transformer, epochs, the token grid) do not apply to it.</summary>
    private static void PatchcoreRules(PatchcoreConfig p, BackboneConfig b, bool backboneOk, Action<bool, string> Rule)
    {
        if (backboneOk)
        {
            int stride = BackboneFactory.Stride(b.Kind, b.OutLayers[0]);
            Rule(b.InputSize.All(s => s % stride == 0),
                $"backbone.input_size {List(b.InputSize)} is not a multiple of {stride}, the stride of layer {b.OutLayers[0]} whose grid PatchCore's patches are on");
        }
        Rule(p.PatchSize >= 1 && p.PatchSize % 2 == 1, $"patchcore.patch_size {p.PatchSize} must be odd and at least 1");
        Rule(p.LayerDimension >= 1, $"patchcore.layer_dimension {p.LayerDimension} must be at least 1");
        Rule(p.Dimension >= 1, $"patchcore.dimension {p.Dimension} must be at least 1");
        Rule(p.CoresetFraction is > 0 and <= 1, $"patchcore.coreset_fraction {Number(p.CoresetFraction)} must be in (0, 1]");
        Rule(p.CoresetProjection >= 1, $"patchcore.coreset_projection {p.CoresetProjection} must be at least 1");
        Rule(p.CoresetStartingPoints >= 1, $"patchcore.coreset_starting_points {p.CoresetStartingPoints} must be at least 1");
        Rule(p.ReweightNeighbours >= 1, $"patchcore.reweight_neighbours {p.ReweightNeighbours} must be at least 1");
        Rule(double.IsFinite(p.Sigma) && p.Sigma >= 0, $"patchcore.sigma {Number(p.Sigma)} must be 0 (no smoothing) or more");
        Rule(p.MemoryBudgetMb >= 1, $"patchcore.memory_budget_mb {p.MemoryBudgetMb} must be at least 1");
    }

    private static string List(IEnumerable<int> values) => $"[{string.Join(", ", values)}]";
    private static string Number(double value) => value.ToString("G", CultureInfo.InvariantCulture);

    /// <exception cref="ConfigException">Every problem.</exception>
    public static UniadConfig Check(UniadConfig config)
    {
        var problems = Problems(config);
        return problems.Count == 0 ? config : throw new ConfigException(problems);
    }
}
