using UniAD.Core.Model;
using static TorchSharp.torch;

namespace UniAD.Core.Tests.Model;

[Collection(GlobalTorchRng.Name)]
public class FeatureJitterTests
{
    [Fact]
    public void JitterIsAppliedOnlyInTraining()
    {
        using var jitter = new FeatureJitter(scale: 20, probability: 1);
        using var tokens = randn(196, 4, 272);
        jitter.eval();
        Assert.True(jitter.forward(tokens).allclose(tokens, 0, 0));
        jitter.train();
        Assert.False(jitter.forward(tokens).allclose(tokens, 0, 0));
    }

    [Fact]
    public void NoiseStdFollowsTheTokenNorm()
    {
        manual_seed(3);
        using var jitter = new FeatureJitter(scale: 20, probability: 1);
        jitter.train();
        // tokens of value v over 272 channels have norm v·sqrt(272): noise std 20·v/sqrt(272) = 20 and 40
        float v = MathF.Sqrt(272);
        using var tokens = cat([full(1, 2000, 272, v), full(1, 2000, 272, 2 * v)]);
        using var noise = jitter.forward(tokens) - tokens;
        // 544,000 draws each: the estimate's relative error is about 0.1%, so 1% is a five-sigma tolerance.
        Assert.Equal(20.0, noise[0].std().item<float>(), 0.2);
        Assert.Equal(40.0, noise[1].std().item<float>(), 0.4);
    }

    [Fact]
    public void ZeroProbabilityDisablesJitter()
    {
        using var jitter = new FeatureJitter(scale: 20, probability: 0);
        jitter.train();
        using var tokens = randn(10, 2, 8);
        Assert.True(jitter.forward(tokens).allclose(tokens, 0, 0));
    }
}
