using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace UniAD.Core.Backbones;

/// <summary>EfficientNet's mobile inverted bottleneck with squeeze-and-excitation, as in
/// lukemelas/EfficientNet-PyTorch v0.7.1 (the code UniAD vendors): 1×1 expand → k×k depthwise →
/// SE → 1×1 project, identity skip when the shape is unchanged. Field names are the official
/// state-dict keys. Drop-connect is left out: it acts only in training, and the backbone is frozen.</summary>
internal sealed class MBConvBlock : nn.Module<Tensor, Tensor>
{
    private readonly Conv2d? _expand_conv;   // absent when the expand ratio is 1
    private readonly BatchNorm2d? _bn0;
    private readonly Conv2d _depthwise_conv;
    private readonly BatchNorm2d _bn1;
    private readonly Conv2d _se_reduce;
    private readonly Conv2d _se_expand;
    private readonly Conv2d _project_conv;
    private readonly BatchNorm2d _bn2;

    private readonly bool hasSkip;

    /// <summary>Zero padding (left, right, top, bottom) of the depthwise conv, fixed at construction.</summary>
    internal long[] DepthwisePad { get; }

    /// <param name="imageSize">Nominal side of this block's input: the official code sizes its static
    /// "SAME" pads for that size and applies them unchanged to any real input.</param>
    public MBConvBlock(int inputFilters, int outputFilters, int kernel, int stride, int expandRatio,
                       int imageSize) : base(nameof(MBConvBlock))
    {
        int expanded = inputFilters * expandRatio;
        if (expandRatio != 1)
        {
            _expand_conv = nn.Conv2d(inputFilters, expanded, 1, bias: false);
            _bn0 = BatchNorm(expanded);
        }
        _depthwise_conv = nn.Conv2d(expanded, expanded, kernel, stride: stride, groups: expanded, bias: false);
        _bn1 = BatchNorm(expanded);
        DepthwisePad = EfficientNetB4.StaticSamePad(imageSize, kernel, stride);

        // The SE bottleneck is a quarter of the block's *input* filters, not of the expanded ones.
        int squeezed = Math.Max(1, inputFilters / 4);
        _se_reduce = nn.Conv2d(expanded, squeezed, 1);
        _se_expand = nn.Conv2d(squeezed, expanded, 1);

        _project_conv = nn.Conv2d(expanded, outputFilters, 1, bias: false);
        _bn2 = BatchNorm(outputFilters);

        hasSkip = stride == 1 && inputFilters == outputFilters;
        RegisterComponents();
    }

    /// <summary>TensorFlow's BN settings, kept by the port: eps 1e-3, momentum 0.01 (PyTorch convention).</summary>
    internal static BatchNorm2d BatchNorm(long channels) => nn.BatchNorm2d(channels, eps: 1e-3, momentum: 0.01);

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var x = input;                                                           // B×Cin×H×W
        if (_expand_conv is not null) x = F.silu(_bn0!.call(_expand_conv.call(x)));  // B×(e·Cin)×H×W
        x = F.silu(_bn1.call(_depthwise_conv.call(F.pad(x, DepthwisePad))));    // B×(e·Cin)×H/s×W/s

        var gate = F.adaptive_avg_pool2d(x, 1);                                  // B×(e·Cin)×1×1
        gate = _se_expand.call(F.silu(_se_reduce.call(gate)));
        x = sigmoid(gate) * x;

        x = _bn2.call(_project_conv.call(x));                                    // B×Cout×H/s×W/s
        if (hasSkip) x = x + input;
        return scope.MoveToOuter(x);
    }
}
