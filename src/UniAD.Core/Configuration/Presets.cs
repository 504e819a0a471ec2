namespace UniAD.Core.Configuration;

/// <summary>Named starting points. The paper configs are the official ones (docs/model.md); they need the
/// EfficientNet-B4 ImageNet weights, which the user supplies (backbone.weights_path).</summary>
public static class Presets
{
    /// <summary>Official MVTec-AD config: EfficientNet-B4 layers 1–4 (272 channels), 224×224, 1000 epochs,
    /// batch 8, seed 133, image score = max of 16×16 average-pooled map.</summary>
    public static UniadConfig PaperMvtec => new()
    {
        Backbone = new BackboneConfig { Kind = BackboneKind.EfficientnetB4, OutLayers = [1, 2, 3, 4] },
    };

    /// <summary>Official CIFAR-10 config: EfficientNet-B4 layers 1–5 (720 channels), batch 16, seed 131,
    /// image score = mean of the map, no pixel metrics.</summary>
    public static UniadConfig PaperCifar => new()
    {
        Backbone = new BackboneConfig { Kind = BackboneKind.EfficientnetB4, OutLayers = [1, 2, 3, 4, 5] },
        Training = new TrainingConfig { BatchSize = 16, Seed = 131 },
        Evaluation = new EvaluationConfig { ImageScore = ImageScoreKind.Mean, PixelMetrics = false },
    };

    /// <summary>The paper's model and training on the ImageNet ResNet-18 that ships with the lab
    /// (layers 1–3, 448 channels): runs anywhere without extra downloads.</summary>
    public static UniadConfig ResNet18 => new();

    /// <summary>A few minutes on a laptop CPU: ResNet-18 layers 2–3, 128×128 input (8×8 token grid,
    /// 5×5 neighbor mask), 30 epochs, batch 16.</summary>
    public static UniadConfig QuickCpu => new()
    {
        Backbone = new BackboneConfig { OutLayers = [2, 3], InputSize = [128, 128] },
        Model = new ReconstructionConfig { NeighborMask = new NeighborMaskConfig { Size = [5, 5] } },
        Training = new TrainingConfig { Epochs = 30, BatchSize = 16, CheckpointEveryEpochs = 5 },
        Evaluation = new EvaluationConfig { AvgPoolKernel = 8 },
    };

    /// <summary>The paper's CIFAR-10 protocol on the shipped ResNet-18: every stage (layers 1–4, 960 channels),
    /// batch 16, seed 131, mean image score, no pixel metrics.</summary>
    public static UniadConfig CifarResNet18 => PaperCifar with
    {
        Backbone = new BackboneConfig { OutLayers = [1, 2, 3, 4] },
    };

    /// <summary>PatchCore as the paper sets it up, as far as the shipped weights allow (docs/patchcore.md): ResNet-18
    /// layers 2 and 3 (the paper: WideResNet-50's), 224×224, a 10% coreset, the official code's image score, and patch
    /// features cached in float32, as the official code computes with them.</summary>
    public static UniadConfig PatchCore => new()
    {
        Method = Method.Patchcore,
        Backbone = new BackboneConfig { OutLayers = [2, 3] },
        Training = new TrainingConfig { CacheFeaturesHalf = false },
    };

    /// <summary>The preset a run of <paramref name="method"/> starts from when none is named: for UniAD a few minutes on
    /// a laptop CPU, for PatchCore the paper's setting.</summary>
    public static string DefaultFor(Method method) => method == Method.Patchcore ? "patchcore" : "quick";

    /// <summary>The "ablation" that removes nothing: full UniAD, every study's usual baseline.</summary>
    public const string FullModel = "full";

    /// <summary>The paper's ablations as config overrides on top of any config: "vanilla" is a plain encoder–decoder
    /// transformer (no neighbor mask, no jitter, no layer-wise queries); the others remove one part each, or keep the
    /// neighbor mask in only the encoder or only the decoder's two attentions.</summary>
    public static readonly IReadOnlyDictionary<string, IReadOnlyList<string>> Ablations = new Dictionary<string, IReadOnlyList<string>>
    {
        [FullModel] = [],
        ["vanilla"] = ["model.queries=none", "model.neighbor_mask.enabled=false", "model.feature_jitter.enabled=false"],
        ["no-neighbor-mask"] = ["model.neighbor_mask.enabled=false"],
        ["neighbor-mask-encoder-only"] = ["model.neighbor_mask.decoder_memory=false", "model.neighbor_mask.decoder_previous=false"],
        ["neighbor-mask-decoder-only"] = ["model.neighbor_mask.encoder=false"],
        ["no-jitter"] = ["model.feature_jitter.enabled=false"],
        ["shared-query"] = ["model.queries=shared"],
        ["no-query"] = ["model.queries=none"],
    };

    public static UniadConfig Vanilla(UniadConfig baseline) => ConfigOverrides.Apply(baseline, Ablations["vanilla"]);

    /// <summary>The preset <paramref name="config"/> differs from in the fewest keys: where a run that was not built from a
    /// preset (an imported checkpoint) starts when it is cloned.</summary>
    public static string Closest(UniadConfig config) =>
        ByName.MinBy(p => ConfigDiff.Differences(p.Value(), config).Count).Key;

    public static readonly IReadOnlyDictionary<string, Func<UniadConfig>> ByName = new Dictionary<string, Func<UniadConfig>>
    {
        ["paper-mvtec"] = () => PaperMvtec,
        ["paper-cifar"] = () => PaperCifar,
        ["resnet18"] = () => ResNet18,
        ["cifar-resnet18"] = () => CifarResNet18,
        ["quick"] = () => QuickCpu,
        ["patchcore"] = () => PatchCore,
    };
}
