using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace UniAD.Core.Backbones;

/// <summary>The ImageNet ResNet-18 of CNTK's recipe, as exported to ONNX in NuGet package
/// Microsoft.ML.DnnImageFeaturizer.ResNet18: torchvision-style basic blocks, but 2, 2, 2, 3 blocks per
/// stage, and inputs in BGR 0..255 minus the training mean. Taps are the ReLU outputs of stages 1–4.</summary>
/// <remarks>Every convolution and the max-pool use symmetric k/2 padding. That is CNTK's "same"
/// auto-padding at any input size (output ⌈H/s⌉, window i centred on input s·i); the export spells
/// it out for 224×224 as the asymmetric pads [3,3,2,2] and [1,1,0,0], whose extra end padding no
/// window reaches. The shipped weights are read into it by <see cref="ResNet18CntkWeights"/>.</remarks>
public sealed class ResNet18Cntk : FeatureBackbone
{
    internal static readonly int[] Blocks = [2, 2, 2, 3];
    static readonly int[] Widths = [64, 128, 256, 512];

    /// <summary>Total channels of the given taps, without building the network.</summary>
    public static int TapChannels(IEnumerable<int> outLayers) => outLayers.Sum(l => Widths[l - 1]);
    /// <summary>Stage 1 is at stride 4 (the stem's convolution and max pool); each later stage halves the grid.</summary>
    public static int TapStride(int layer) => 4 << (layer - 1);
    internal const double BnEps = 1e-5;

    // Channel means (B, G, R; 0..255) of ResNetPreprocess.onnx's 224×224 "MeanImage". That image varies
    // by only a few levels across pixels and cannot be applied to other sizes, so its means replace it.
    static readonly float[] MeansBgr = [103.062624f, 115.902882f, 123.151631f];

    internal readonly Conv2d conv1;
    internal readonly BatchNorm2d bn1;
    readonly MaxPool2d maxpool;
    internal readonly ModuleList<Sequential> layers;   // stages 1 .. last requested tap
    readonly Tensor meanBgr;   // 1×3×1×1
    readonly int[] outLayers;

    public override IReadOnlyList<FeatureTap> Taps { get; }

    /// <summary>Randomly initialised network returning the stages in <paramref name="outLayers"/>
    /// (subset of 1..4, returned in ascending order); stages after the last one are not built.</summary>
    public ResNet18Cntk(IReadOnlyList<int> outLayers) : base(nameof(ResNet18Cntk))
    {
        if (outLayers.Count == 0 || outLayers.Any(l => l is < 1 or > 4) || outLayers.Distinct().Count() != outLayers.Count)
            throw new ArgumentException($"outLayers must be distinct values in 1..4, got [{string.Join(",", outLayers)}].", nameof(outLayers));
        this.outLayers = outLayers.Order().ToArray();
        Taps = this.outLayers.Select(l => new FeatureTap(l, Widths[l - 1], TapStride(l))).ToArray();

        conv1 = Conv2d(3, 64, kernel_size: 7, stride: 2, padding: 3, bias: false);
        bn1 = BatchNorm2d(64, eps: BnEps);
        maxpool = MaxPool2d(kernel_size: 3, stride: 2, padding: 1);
        var stages = new List<Sequential>();
        for (int s = 0; s < this.outLayers[^1]; s++)
        {
            // The first block of stages 2-4 halves the resolution and widens.
            int inWidth = s == 0 ? 64 : Widths[s - 1], stride = s == 0 ? 1 : 2;
            stages.Add(Sequential(Enumerable.Range(0, Blocks[s])
                .Select(b => new BasicBlock(b == 0 ? inWidth : Widths[s], Widths[s], b == 0 ? stride : 1)).ToArray()));
        }
        layers = ModuleList(stages.ToArray());
        meanBgr = tensor(MeansBgr).reshape(1, 3, 1, 1);
        RegisterComponents();
    }

    /// <summary>B×3×H×W RGB in [0, 1] → one B×C×⌈H/s⌉×⌈W/s⌉ map per tap.</summary>
    public override Tensor[] forward(Tensor rgb)
    {
        if (rgb.dim() != 4 || rgb.shape[1] != 3)
            throw new ArgumentException($"Expected a B×3×H×W RGB batch, got [{string.Join(",", rgb.shape)}].", nameof(rgb));
        using var scope = NewDisposeScope();
        using var levels = 255f.ToScalar();                                  // explicit: see FeatureJitter
        var x = rgb.flip(1).mul(levels) - meanBgr;                           // B×3×H×W, BGR minus mean, as trained
        x = maxpool.call(functional.relu(bn1.call(conv1.call(x))));          // B×64×H/4×W/4
        var taps = new List<Tensor>();
        for (int s = 0; s < layers.Count; s++)
        {
            x = layers[s].call(x);                                           // B×Widths[s]×H/2^(s+2)×W/2^(s+2)
            if (outLayers.Contains(s + 1)) taps.Add(x);
        }
        return taps.Select(t => t.MoveToOuterDisposeScope()).ToArray();
    }

    /// <summary>conv3×3-BN-ReLU, conv3×3-BN, plus a shortcut (a strided conv1×1-BN projection when
    /// the block changes width and resolution), then ReLU.</summary>
    internal sealed class BasicBlock : Module<Tensor, Tensor>
    {
        public readonly int Stride;
        public readonly Conv2d conv1, conv2;
        public readonly BatchNorm2d bn1, bn2;
        public readonly Conv2d? shortcutConv;
        public readonly BatchNorm2d? shortcutBn;

        public BasicBlock(int inChannels, int channels, int stride) : base(nameof(BasicBlock))
        {
            Stride = stride;
            conv1 = Conv2d(inChannels, channels, kernel_size: 3, stride: stride, padding: 1, bias: false);
            bn1 = BatchNorm2d(channels, eps: BnEps);
            conv2 = Conv2d(channels, channels, kernel_size: 3, padding: 1, bias: false);
            bn2 = BatchNorm2d(channels, eps: BnEps);
            if (stride != 1 || inChannels != channels)
            {
                shortcutConv = Conv2d(inChannels, channels, kernel_size: 1, stride: stride, bias: false);
                shortcutBn = BatchNorm2d(channels, eps: BnEps);
            }
            RegisterComponents();
        }

        public override Tensor forward(Tensor x)                              // B×Cin×H×W
        {
            using var scope = NewDisposeScope();
            var y = functional.relu(bn1.call(conv1.call(x)));                // B×C×H/s×W/s
            y = bn2.call(conv2.call(y));
            var shortcut = shortcutConv is null ? x : shortcutBn!.call(shortcutConv.call(x));
            return functional.relu(y + shortcut).MoveToOuterDisposeScope();
        }
    }
}
