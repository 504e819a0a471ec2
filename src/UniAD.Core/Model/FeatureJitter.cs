using TorchSharp;
using UniAD.Core.Configuration;
using static TorchSharp.torch;

namespace UniAD.Core.Model;

/// <summary>Feature jittering (docs/model.md section 3.1): during training, add Gaussian noise whose scale
/// follows each token's own norm, so the model learns to denoise rather than to copy.
/// The clean features stay the reconstruction target.</summary>
public sealed class FeatureJitter : nn.Module<Tensor, Tensor>
{
    private readonly FeatureJitterConfig _config;

    public FeatureJitter(FeatureJitterConfig config) : base(nameof(FeatureJitter)) => _config = config;

    /// <param name="tokens">L×B×C feature tokens (before the input projection).</param>
    public override Tensor forward(Tensor tokens)
    {
        if (!training || !Applies()) return tokens;
        using var scope = NewDisposeScope();
        // An explicit Scalar, disposed after use: TorchSharp 0.107 leaves the implicit ones to the finalizer, which can
        // free one while the native call still reads it (a training crashed so after hours).
        using var channels = tokens.shape[2].ToScalar();
        using var scale = _config.Scale.ToScalar();
        var norm = tokens.norm(dim: 2, keepdim: true).div(channels);       // L×B×1
        var noise = (Noise(tokens) * norm).mul(scale);                     // L×B×C, std = scale·‖f‖/C
        return (tokens + noise).MoveToOuterDisposeScope();
    }

    /// <summary>Whether this step jitters. The official gate is Python's <c>random</c>, which torch cannot share, so
    /// a probability strictly between 0 and 1 draws its gate from torch's generator (a deviation, docs/model.md
    /// section 3.1); 0 and 1, the only values the official configs use, draw nothing.</summary>
    private bool Applies()
    {
        if (_config.NoiseStream == EngineBehaviour.LabV1)                  // drew a gate even when jitter was off
            return Gate(_config.Enabled ? _config.Probability : 0);
        if (!_config.Enabled || _config.Probability <= 0) return false;
        return _config.Probability >= 1 || Gate(_config.Probability);
    }

    private static bool Gate(double probability)
    {
        using var draw = rand(1);
        return draw.item<float>() <= probability;
    }

    /// <returns>L×B×C standard normal noise: the official <c>randn(L, B, C)</c>, drawn on the CPU as the official code does.</returns>
    private Tensor Noise(Tensor tokens) => _config.NoiseStream == EngineBehaviour.LabV1
        ? randn_like(tokens)
        : randn(tokens.shape, dtype: tokens.dtype).to(tokens.device);
}
