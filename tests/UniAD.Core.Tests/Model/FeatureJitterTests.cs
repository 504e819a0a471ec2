using UniAD.Core.Configuration;
using UniAD.Core.Model;
using static TorchSharp.torch;

namespace UniAD.Core.Tests.Model;

[Collection(GlobalTorchRng.Name)]
public class FeatureJitterTests
{
    private static FeatureJitter Jitter(bool enabled = true, double probability = 1, EngineBehaviour stream = EngineBehaviour.Official) =>
        new(new FeatureJitterConfig { Enabled = enabled, Probability = probability, NoiseStream = stream });

    [Fact]
    public void JitterIsAppliedOnlyInTraining()
    {
        using var jitter = Jitter();
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
        using var jitter = Jitter();
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
    public void TheNoiseIsTheOfficialRandnOfShapeLBC()
    {
        // The tokens are a permuted view, as the model passes them: the official noise does not follow their strides.
        using var features = randn(2, 8, 5, 3);
        using var tokens = features.flatten(2).permute(2, 0, 1);          // L×B×C = 15×2×8, not contiguous
        using var jitter = Jitter();
        jitter.train();
        manual_seed(21);
        using var jittered = jitter.forward(tokens);
        manual_seed(21);
        using var expected = tokens + randn(15, 2, 8) * (tokens.norm(dim: 2, keepdim: true) / 8) * 20;
        Assert.True(jittered.allclose(expected, rtol: 1e-6, atol: 1e-6));
    }

    [Theory]
    [InlineData(false, 1.0)]
    [InlineData(true, 0.0)]
    public void JitterThatIsOffDrawsNoRandomNumber(bool enabled, double probability)
    {
        using var jitter = Jitter(enabled, probability);
        jitter.train();
        using var tokens = randn(10, 2, 8);
        manual_seed(4);
        Assert.True(jitter.forward(tokens).allclose(tokens, 0, 0));
        using var next = randn(3);
        manual_seed(4);
        using var fresh = randn(3);
        Assert.True(next.allclose(fresh, 0, 0));
    }

    [Fact]
    public void LabV1KeepsTheStreamOfRunsTrainedBeforeTheFix()
    {
        using var features = randn(2, 8, 5, 3);
        using var tokens = features.flatten(2).permute(2, 0, 1);
        using var jitter = Jitter(stream: EngineBehaviour.LabV1);
        jitter.train();
        manual_seed(21);
        using var jittered = jitter.forward(tokens);
        manual_seed(21);
        rand(1).Dispose();                                                 // the gate it drew first
        using var expected = tokens + randn_like(tokens) * (tokens.norm(dim: 2, keepdim: true) / 8) * 20;
        Assert.True(jittered.allclose(expected, rtol: 1e-6, atol: 1e-6));

        using var off = new FeatureJitter(new FeatureJitterConfig { Enabled = false, NoiseStream = EngineBehaviour.LabV1 });
        off.train();
        manual_seed(4);
        off.forward(tokens).Dispose();
        using var next = randn(3);
        manual_seed(4);
        rand(1).Dispose();
        using var afterGate = randn(3);
        Assert.True(next.allclose(afterGate, 0, 0));                   // a gate was drawn even when off
    }
}
