using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace UniAD.Core.Backbones;

/// <summary>EfficientNet-B4 as UniAD uses it (lukemelas/EfficientNet-PyTorch v0.7.1, ImageNet weights
/// <c>efficientnet-b4-6ed6700e.pth</c>): the outputs of MBConv blocks 1, 5, 9, 21 and 31 are the
/// features for <c>outlayers</c> 1..5. Module names equal the official state-dict keys, so the official
/// file loads strictly (<see cref="EfficientNetB4Weights"/>); the head conv, its BN and the 1000-class <c>_fc</c> exist only for that and are
/// never run.
///
/// <para>Forward stops after the deepest requested block. The official code runs the whole network and
/// discards everything past the taps; no later layer feeds back, so the features are identical.</para>
///
/// <para>Padding quirk reproduced on purpose: every conv pads statically with TF "SAME" pads computed
/// for the nominal image size (380 for B4), whatever the real input size. At 224 this differs from
/// "SAME" for the actual size (block 6 pads 2,2,2,2 instead of 1,2,1,2), and the official features
/// depend on it.</para></summary>
public sealed class EfficientNetB4 : FeatureBackbone
{
    /// <summary>The official B4 input size, from which the static pads are derived.</summary>
    public const int DefaultNominalImageSize = 380;

    // outlayer l (1-based) → the block whose output it is, with its channels and stride (UniAD's backbone_info).
    private static readonly (int Block, int Channels, int Stride)[] LayerTable =
        [(1, 24, 2), (5, 32, 4), (9, 56, 8), (21, 160, 16), (31, 448, 32)];

    /// <summary>Total channels of the given taps, without building the network.</summary>
    public static int TapChannels(IEnumerable<int> outLayers) => outLayers.Sum(l => LayerTable[l - 1].Channels);
    public static int TapStride(int layer) => LayerTable[layer - 1].Stride;

    // B0's stages scaled to B4 (width 1.4, depth 1.8, channels rounded to multiples of 8):
    // (repeats, kernel, stride of the first block, expand ratio, in, out). 32 blocks in all.
    private static readonly (int Repeats, int Kernel, int Stride, int Expand, int In, int Out)[] Stages =
    [
        (2, 3, 1, 1, 48, 24),
        (4, 3, 2, 6, 24, 32),
        (4, 5, 2, 6, 32, 56),
        (6, 3, 2, 6, 56, 112),
        (6, 5, 1, 6, 112, 160),
        (8, 5, 2, 6, 160, 272),
        (2, 3, 1, 6, 272, 448),
    ];

    private const int StemChannels = 48, HeadChannels = 1792, Classes = 1000;

    private static readonly float[] ImageNetMean = [0.485f, 0.456f, 0.406f];
    private static readonly float[] ImageNetStd = [0.229f, 0.224f, 0.225f];

    private readonly Conv2d _conv_stem;
    private readonly BatchNorm2d _bn0;
    private readonly ModuleList<MBConvBlock> _blocks;
    // Loaded, never run: they make the official state dict match key for key.
    private readonly Conv2d _conv_head;
    private readonly BatchNorm2d _bn1;
    private readonly Linear _fc;

    private readonly FeatureTap[] taps;
    private readonly int[] tapBlocks;

    /// <summary>Zero padding (left, right, top, bottom) of the stem conv.</summary>
    internal long[] StemPad { get; }

    internal IList<MBConvBlock> Blocks => _blocks;

    public override IReadOnlyList<FeatureTap> Taps => taps;

    /// <summary>Randomly initialised: for tests only. Real use goes through <see cref="EfficientNetB4Weights"/>.</summary>
    internal EfficientNetB4(IReadOnlyList<int> outLayers, int nominalImageSize = DefaultNominalImageSize)
        : base(nameof(EfficientNetB4))
    {
        if (outLayers.Count == 0 || outLayers.Any(l => l < 1 || l > LayerTable.Length)
            || outLayers.Zip(outLayers.Skip(1)).Any(p => p.First >= p.Second))
            throw new ArgumentException(
                $"EfficientNet-B4 outlayers must be strictly increasing values in 1..{LayerTable.Length}; got [{string.Join(", ", outLayers)}].",
                nameof(outLayers));
        if (nominalImageSize < 1)
            throw new ArgumentOutOfRangeException(nameof(nominalImageSize), nominalImageSize, "must be positive");

        taps = outLayers.Select(l => new FeatureTap(l, LayerTable[l - 1].Channels, LayerTable[l - 1].Stride)).ToArray();
        tapBlocks = outLayers.Select(l => LayerTable[l - 1].Block).ToArray();

        int size = nominalImageSize;
        _conv_stem = nn.Conv2d(3, StemChannels, 3, stride: 2, bias: false);
        _bn0 = MBConvBlock.BatchNorm(StemChannels);
        StemPad = StaticSamePad(size, 3, 2);
        size = CeilDiv(size, 2);

        // Like the official builder: a stage's first block sees the size before its stride, the
        // repeats the size after it.
        _blocks = new ModuleList<MBConvBlock>();
        foreach (var (repeats, kernel, stride, expand, cin, cout) in Stages)
        {
            _blocks.Add(new MBConvBlock(cin, cout, kernel, stride, expand, size));
            size = CeilDiv(size, stride);
            for (int r = 1; r < repeats; r++)
                _blocks.Add(new MBConvBlock(cout, cout, kernel, 1, expand, size));
        }

        _conv_head = nn.Conv2d(Stages[^1].Out, HeadChannels, 1, bias: false);
        _bn1 = MBConvBlock.BatchNorm(HeadChannels);
        _fc = nn.Linear(HeadChannels, Classes);
        RegisterComponents();
    }

    /// <summary>B×3×H×W RGB in [0, 1] → one B×C×(H/s)×(W/s) map per requested tap.</summary>
    public override Tensor[] forward(Tensor image)
    {
        using var scope = NewDisposeScope();
        var mean = tensor(ImageNetMean, device: image.device).view(1, 3, 1, 1);
        var std = tensor(ImageNetStd, device: image.device).view(1, 3, 1, 1);
        var x = (image - mean) / std;

        x = F.silu(_bn0.call(_conv_stem.call(F.pad(x, StemPad))));   // B×48×H/2×W/2
        var features = new Tensor[tapBlocks.Length];
        // Run only as far as the deepest requested block.
        for (int b = 0, t = 0; t < tapBlocks.Length; b++)
        {
            x = _blocks[b].call(x);
            if (b == tapBlocks[t]) features[t++] = x;
        }
        scope.MoveToOuter(features);
        return features;
    }

    /// <summary>TF "SAME" pads for a k×k, stride-s conv on an n×n input, as the official
    /// Conv2dStaticSamePadding computes them: (left, right, top, bottom), the odd pixel on the
    /// right/bottom. 1×1 stride-1 convs get none, so only the stem and depthwise convs pad.</summary>
    internal static long[] StaticSamePad(int imageSize, int kernel, int stride)
    {
        int outSize = CeilDiv(imageSize, stride);
        int pad = Math.Max((outSize - 1) * stride + kernel - imageSize, 0);
        return [pad / 2, pad - pad / 2, pad / 2, pad - pad / 2];
    }

    private static int CeilDiv(int a, int b) => (a + b - 1) / b;
}
