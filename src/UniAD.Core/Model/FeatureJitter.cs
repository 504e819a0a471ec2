using TorchSharp;
using static TorchSharp.torch;

namespace UniAD.Core.Model;

/// <summary>Feature jittering (paper section 3.4): during training, add Gaussian noise whose scale
/// follows each token's own norm, so the model learns to denoise rather than to copy.
/// The clean features stay the reconstruction target.</summary>
public sealed class FeatureJitter : nn.Module<Tensor, Tensor>
{
    private readonly double _scale;
    private readonly double _probability;

    public FeatureJitter(double scale, double probability) : base(nameof(FeatureJitter))
    {
        _scale = scale;
        _probability = probability;
    }

    /// <param name="tokens">L×B×C feature tokens (before the input projection).</param>
    public override Tensor forward(Tensor tokens)
    {
        if (!training || rand(1).item<float>() > _probability) return tokens;
        using var scope = NewDisposeScope();
        // An explicit Scalar, disposed after use: TorchSharp 0.107 leaves the implicit ones to the finalizer, which can
        // free one while the native call still reads it (a training crashed so after hours).
        using var channels = tokens.shape[2].ToScalar();
        using var scale = _scale.ToScalar();
        var norm = tokens.norm(dim: 2, keepdim: true).div(channels);       // L×B×1
        var noise = (randn_like(tokens) * norm).mul(scale);                // L×B×C, std = scale·‖f‖/C
        return (tokens + noise).MoveToOuterDisposeScope();
    }
}
