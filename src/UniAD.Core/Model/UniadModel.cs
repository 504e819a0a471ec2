using TorchSharp;
using TorchSharp.Modules;
using UniAD.Core.Configuration;
using static TorchSharp.torch;
using static TorchSharp.torch.nn.functional;

namespace UniAD.Core.Model;

/// <summary>UniAD's reconstruction network (docs/model.md section 3; official <c>models/reconstructions/uniad.py</c>).
/// It takes the frozen backbone's aligned features, jitters them while training, reconstructs them with the
/// neighbor-masked, query-driven transformer, and returns the reconstruction and its per-position L2 error,
/// which is the anomaly map.</summary>
public sealed class UniadModel : nn.Module<Tensor, (Tensor FeatureRec, Tensor AnomalyMap)>
{
    private readonly FeatureJitter feature_jitter;
    private readonly Linear input_proj;
    private readonly PositionalEmbedding pos_embed;
    private readonly ReconstructionTransformer transformer;
    private readonly Linear output_proj;

    /// <param name="channels">C of the aligned features (e.g. 272 for EfficientNet-B4 layers 1–4).</param>
    public UniadModel(ReconstructionConfig config, int channels, int gridHeight, int gridWidth) : base(nameof(UniadModel))
    {
        feature_jitter = new FeatureJitter(config.FeatureJitter);
        input_proj = nn.Linear(channels, config.HiddenDim);
        pos_embed = config.PositionalEmbedding == PositionalEmbeddingKind.Learned
            ? new LearnedPositionalEmbedding(gridHeight, gridWidth, config.HiddenDim)
            : new SinePositionalEmbedding(gridHeight, gridWidth, config.HiddenDim);
        transformer = new ReconstructionTransformer(config, gridHeight, gridWidth);
        output_proj = nn.Linear(config.HiddenDim, channels);
        RegisterComponents();
        InitializeLinearLayers();
    }

    /// <param name="featureAlign">B×C×H×W aligned backbone features (the reconstruction target).</param>
    /// <returns>FeatureRec B×C×H×W and the anomaly map B×1×H×W at feature resolution.</returns>
    public override (Tensor FeatureRec, Tensor AnomalyMap) forward(Tensor featureAlign)
    {
        using var scope = NewDisposeScope();
        long batch = featureAlign.shape[0], channels = featureAlign.shape[1], height = featureAlign.shape[2], width = featureAlign.shape[3];
        var tokens = featureAlign.flatten(2).permute(2, 0, 1);            // B×C×H×W → L×B×C, L = H·W
        tokens = feature_jitter.forward(tokens);                          // training only
        var hidden = input_proj.forward(tokens);                          // L×B×D
        var decoded = transformer.forward(hidden, pos_embed.forward());   // L×B×D
        var featureRec = output_proj.forward(decoded)                     // L×B×C
            .permute(1, 2, 0).reshape(batch, channels, height, width);    // B×C×H×W
        var anomalyMap = (featureRec - featureAlign).square().sum(1, keepdim: true).sqrt(); // B×1×H×W
        return (featureRec.MoveToOuterDisposeScope(), anomalyMap.MoveToOuterDisposeScope());
    }

    /// <summary>Upsamples feature-resolution maps to the input size (bilinear, align_corners=true, as
    /// the official ×16 UpsamplingBilinear2d).</summary>
    public static Tensor UpsampleMap(Tensor anomalyMap, int height, int width) =>
        interpolate(anomalyMap, size: [height, width], mode: InterpolationMode.Bilinear, align_corners: true);

    /// <summary>Official <c>xavier_uniform</c> initializer: every Linear (projections, feed-forward, attention
    /// out_proj) gets Xavier-uniform weights and zero bias; attention in_proj, queries, positional
    /// embeddings and LayerNorms keep their own initialisation.</summary>
    private void InitializeLinearLayers()
    {
        using var _ = no_grad();
        foreach (var linear in modules().OfType<Linear>())
        {
            nn.init.xavier_uniform_(linear.weight!);
            if (linear.bias is not null) nn.init.zeros_(linear.bias);
        }
    }
}
