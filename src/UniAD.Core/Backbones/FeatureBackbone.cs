using TorchSharp;
using static TorchSharp.torch;

namespace UniAD.Core.Backbones;

/// <summary>One multi-scale output of a backbone: its layer index (1-based, as in UniAD's
/// <c>outlayers</c>), channel count and stride relative to the input image.</summary>
public sealed record FeatureTap(int Layer, int Channels, int Stride);

/// <summary>A frozen ImageNet CNN that turns images into the multi-scale features UniAD reconstructs.
/// Input: B×3×H×W RGB in [0, 1]; each backbone applies its own normalisation. Output: one tensor per
/// tap in <see cref="Taps"/> order, B×C_i×(H/s_i)×(W/s_i).</summary>
public abstract class FeatureBackbone : nn.Module<Tensor, Tensor[]>
{
    protected FeatureBackbone(string name) : base(name) { }

    /// <summary>The taps this instance returns, in order.</summary>
    public abstract IReadOnlyList<FeatureTap> Taps { get; }

    /// <summary>Puts the module in eval mode and stops gradients: UniAD never trains its backbone.</summary>
    public FeatureBackbone Freeze()
    {
        eval();
        foreach (var p in parameters()) p.requires_grad = false;
        return this;
    }
}
