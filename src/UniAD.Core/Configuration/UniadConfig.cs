using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace UniAD.Core.Configuration;

/// <summary>Everything that defines an experiment: UniAD's (the default method) or PatchCore's. Defaults are the official
/// MVTec-AD config (docs/model.md), except the backbone: EfficientNet-B4 weights do not ship with the lab, so the
/// default is the ImageNet ResNet-18 that ships in NuGet.</summary>
public sealed record UniadConfig
{
    /// <summary>Which method the run trains; configs written before PatchCore existed have no key and read as UniAD.</summary>
    public Method Method { get; init; } = Method.Uniad;
    public BackboneConfig Backbone { get; init; } = new();
    public ReconstructionConfig Model { get; init; } = new();
    public TrainingConfig Training { get; init; } = new();
    public EvaluationConfig Evaluation { get; init; } = new();
    /// <summary>PatchCore's settings, read only when <see cref="Method"/> is <see cref="Method.Patchcore"/> (docs/patchcore.md).</summary>
    public PatchcoreConfig Patchcore { get; init; } = new();

    public static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };

    /// <summary>As <see cref="Json"/>, but a key no setting of this code reads is an error rather than dropped.</summary>
    private static readonly JsonSerializerOptions StrictJson = new(Json) { UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow };

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <summary>A config as JSON; keys this code does not know are dropped (for showing a stored run; what trains or is
    /// given by a user is read with <paramref name="strict"/>).</summary>
    /// <exception cref="JsonException">Not a config; with <paramref name="strict"/>, also a key this code does not know
    /// (its message names the key).</exception>
    public static UniadConfig FromJson(string json, bool strict = false)
    {
        try { return JsonSerializer.Deserialize<UniadConfig>(json, strict ? StrictJson : Json) ?? throw new InvalidDataException("empty config"); }
        catch (JsonException e) when (strict && e.Message.Contains("could not be mapped", StringComparison.Ordinal))
        {
            throw new JsonException($"'{KeyOf(e.Path)}' is not a config key this code knows", e.Path, e.LineNumber, e.BytePositionInLine, e);
        }
    }

    /// <summary>"$.model.future_switch" as the dotted key overrides use ("model.future_switch").</summary>
    private static string KeyOf(string? jsonPath) => (jsonPath ?? "").TrimStart('$', '.');

    /// <summary>The config a run stored (in its checkpoint or the lab's database). One stored before a
    /// <see cref="EngineBehaviour"/> switch existed trained the <see cref="EngineBehaviour.LabV1"/> way, and must
    /// go on that way to resume identically. A run about to train is read <paramref name="strict"/>: a key this code
    /// does not know (a run a newer lab queued) would otherwise be dropped, and the run trained would not be the one asked for.</summary>
    public static UniadConfig FromStoredJson(string json, bool strict = false)
    {
        var root = JsonNode.Parse(json) as JsonObject ?? throw new InvalidDataException("empty config");
        foreach (var path in EngineBehaviourKeys)
        {
            var parent = root;
            foreach (var key in path[..^1]) parent = parent[key] as JsonObject ?? (JsonObject)(parent[key] = new JsonObject());
            parent.TryAdd(path[^1], "lab_v1");
        }
        return FromJson(root.ToJsonString(), strict);
    }

    /// <summary>Where the <see cref="EngineBehaviour"/> switches live in the JSON.</summary>
    private static readonly string[][] EngineBehaviourKeys = [["training", "lr_step_timing"], ["model", "feature_jitter", "noise_stream"]];

    /// <summary>The same config trained with another seed (each run of a request gets its own).</summary>
    public UniadConfig WithSeed(int seed) => this with { Training = Training with { Seed = seed } };

    /// <summary>This config for a new run: every <see cref="EngineBehaviour"/> switch back to the official one.</summary>
    public UniadConfig ForNewRun() => this with
    {
        Training = Training with { LrStepTiming = EngineBehaviour.Official },
        Model = Model with { FeatureJitter = Model.FeatureJitter with { NoiseStream = EngineBehaviour.Official } },
    };
}

/// <summary>Where the lab once computed something differently from the official code. New runs are always
/// <see cref="Official"/>; <see cref="LabV1"/> exists only so that runs trained before the fix resume with
/// the numbers they started with (docs/model.md, "Engine behaviour switches").</summary>
public enum EngineBehaviour { Official, LabV1 }

/// <summary>The anomaly-detection method of a run.</summary>
public enum Method
{
    /// <summary>You et al. 2022: a transformer reconstructs the frozen backbone's features (docs/model.md).</summary>
    Uniad,
    /// <summary>Roth et al. 2022: a coreset memory bank of normal patch features, nothing trained (docs/patchcore.md).</summary>
    Patchcore,
}

public enum BackboneKind { Resnet18, EfficientnetB4 }

public sealed record BackboneConfig
{
    public BackboneKind Kind { get; init; } = BackboneKind.Resnet18;
    /// <summary>1-based stages whose outputs are concatenated (official <c>outlayers</c>); PatchCore's layers too, the
    /// first the finest.</summary>
    public int[] OutLayers { get; init; } = [1, 2, 3];
    /// <summary>Stride of the common grid the MFCN neck resizes every tap to (official <c>outstrides: [16]</c>).</summary>
    public int OutStride { get; init; } = 16;
    /// <summary>[height, width] the images are resized to.</summary>
    public int[] InputSize { get; init; } = [224, 224];
    /// <summary>Weights file; required for EfficientNet-B4, optional (defaults to the NuGet ONNX file) for ResNet-18.</summary>
    public string? WeightsPath { get; init; }
}

public enum PositionalEmbeddingKind { Learned, Sine }

/// <summary>How each decoder layer gets its query tokens (docs/model.md section 3.3: the paper's layer-wise queries and the lab's ablations).</summary>
public enum QueryKind
{
    /// <summary>UniAD: every decoder layer owns a learned query table.</summary>
    Layerwise,
    /// <summary>One learned query table shared by all decoder layers.</summary>
    Shared,
    /// <summary>Vanilla transformer: a decoder layer starts from the previous layer's output (with a residual).</summary>
    None,
}

public sealed record NeighborMaskConfig
{
    public bool Enabled { get; init; } = true;
    /// <summary>[height, width] of the masked neighbourhood, centred on the query token.</summary>
    public int[] Size { get; init; } = [7, 7];
    /// <summary>Where the mask applies: encoder self-attention, decoder query-to-memory, decoder query-to-previous.</summary>
    public bool Encoder { get; init; } = true;
    public bool DecoderMemory { get; init; } = true;
    public bool DecoderPrevious { get; init; } = true;
}

public sealed record FeatureJitterConfig
{
    public bool Enabled { get; init; } = true;
    public double Scale { get; init; } = 20.0;
    public double Probability { get; init; } = 1.0;
    /// <summary>Official: the noise is <c>randn(L, B, C)</c> from the CPU generator and nothing is drawn when jitter is
    /// off. LabV1: <c>randn_like</c> on the permuted token view, after a gate draw even when off.</summary>
    public EngineBehaviour NoiseStream { get; init; } = EngineBehaviour.Official;
}

public sealed record ReconstructionConfig
{
    public int HiddenDim { get; init; } = 256;
    public int Heads { get; init; } = 8;
    public int EncoderLayers { get; init; } = 4;
    public int DecoderLayers { get; init; } = 4;
    public int FeedForwardDim { get; init; } = 1024;
    public double Dropout { get; init; } = 0.1;
    public PositionalEmbeddingKind PositionalEmbedding { get; init; } = PositionalEmbeddingKind.Learned;
    public QueryKind Queries { get; init; } = QueryKind.Layerwise;
    public NeighborMaskConfig NeighborMask { get; init; } = new();
    public FeatureJitterConfig FeatureJitter { get; init; } = new();
}

public sealed record TrainingConfig
{
    public int Epochs { get; init; } = 1000;
    public int BatchSize { get; init; } = 8;
    public double LearningRate { get; init; } = 1e-4;
    public double WeightDecay { get; init; } = 1e-4;
    public double ClipGradNorm { get; init; } = 0.1;
    /// <summary>StepLR: multiply the learning rate by <see cref="LrGamma"/> every this many epochs.</summary>
    public int LrStepEpochs { get; init; } = 800;
    public double LrGamma { get; init; } = 0.1;
    /// <summary>Official: epoch e (0-based) trains at γ^⌊(e−1)/step⌋, because the official loop steps the scheduler
    /// after each epoch. LabV1: γ^⌊e/step⌋, one epoch early.</summary>
    public EngineBehaviour LrStepTiming { get; init; } = EngineBehaviour.Official;
    public int Seed { get; init; } = 133;
    /// <summary>Store cached backbone features as fp16 (half the disk and memory; see BENCHMARKS.md).</summary>
    public bool CacheFeaturesHalf { get; init; } = true;
    /// <summary>Write a resumable checkpoint every this many epochs (and always after the last).</summary>
    public int CheckpointEveryEpochs { get; init; } = 10;
    /// <summary>Evaluate on the test set every this many epochs during training (the official <c>val_freq_epoch</c>),
    /// so test metrics can be followed over training; 0 = only after the last epoch, which is always evaluated.
    /// AUPRO is computed only after the last epoch (the official periodic evaluation has none).</summary>
    public int EvaluateEveryEpochs { get; init; } = 10;
}

/// <summary>How an anomaly map becomes one image score (docs/model.md section 5).</summary>
public enum ImageScoreKind
{
    /// <summary>Max of the map after a k×k stride-1 average pool: the paper's MVTec-AD score.</summary>
    MaxAvgPool,
    /// <summary>Mean of the map: the paper's CIFAR-10 score.</summary>
    Mean,
    /// <summary>Population standard deviation of the map.</summary>
    Std,
}

public sealed record EvaluationConfig
{
    public ImageScoreKind ImageScore { get; init; } = ImageScoreKind.MaxAvgPool;
    public int AvgPoolKernel { get; init; } = 16;
    /// <summary>Pixel metrics need masks; the CIFAR-10 protocol has none.</summary>
    public bool PixelMetrics { get; init; } = true;
    public double AuproMaxFpr { get; init; } = 0.3;
}

/// <summary>How PatchCore turns its nearest-bank patch distances into one image score.</summary>
public enum PatchImageScore
{
    /// <summary>The largest patch score: the official code.</summary>
    Max,
    /// <summary>The largest patch score weighted by how unusual its bank patch is among its neighbours: the paper's eq. 7.</summary>
    Reweighted,
}

/// <summary>PatchCore (Roth et al. 2022). Defaults are the paper's and its official code's (docs/patchcore.md); the
/// backbone layers are <see cref="BackboneConfig.OutLayers"/> (the <c>patchcore</c> preset: ResNet-18 layers 2 and 3).</summary>
public sealed record PatchcoreConfig
{
    /// <summary>The side of the neighbourhood each position is described by (the paper's p).</summary>
    public int PatchSize { get; init; } = 3;
    /// <summary>The length each layer's description is pooled to (official <c>pretrain_embed_dimension</c>).</summary>
    public int LayerDimension { get; init; } = 1024;
    /// <summary>The length of a patch feature (official <c>target_embed_dimension</c>).</summary>
    public int Dimension { get; init; } = 1024;
    /// <summary>The share of the training patches the greedy coreset keeps as the memory bank.</summary>
    public double CoresetFraction { get; init; } = 0.1;
    /// <summary>The dimension of the random projection the coreset measures distances in.</summary>
    public int CoresetProjection { get; init; } = 128;
    /// <summary>How many random patches give each patch's distance before the first pick.</summary>
    public int CoresetStartingPoints { get; init; } = 10;
    public PatchImageScore ImageScore { get; init; } = PatchImageScore.Max;
    /// <summary>k of the paper's reweighting: the bank neighbours of the nearest bank patch it weighs against.</summary>
    public int ReweightNeighbours { get; init; } = 9;
    /// <summary>σ of the Gaussian that smooths the anomaly map, in input pixels; 0 leaves it unsmoothed.</summary>
    public double Sigma { get; init; } = 4;
    /// <summary>What the memory bank and one block of its nearest-neighbour search may take.</summary>
    public int MemoryBudgetMb { get; init; } = 4096;
}
