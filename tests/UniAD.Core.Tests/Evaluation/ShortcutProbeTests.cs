using UniAD.Core.Configuration;
using UniAD.Core.Evaluation;
using UniAD.Core.Model;
using static TorchSharp.torch;

namespace UniAD.Core.Tests.Evaluation;

[Collection(GlobalTorchRng.Name)]
public class ShortcutProbeTests
{
    private static UniadModel Model(ReconstructionConfig config)
    {
        manual_seed(3);
        return new UniadModel(config with { HiddenDim = 32, Heads = 4, FeedForwardDim = 64, EncoderLayers = 1, DecoderLayers = 1,
            NeighborMask = config.NeighborMask with { Size = [3, 3] } }, 16, 6, 6);
    }

    private static Tensor Features() => rand([5, 16, 6, 6], generator: new Generator(9));

    [Fact]
    public void AModelThatIgnoresItsInputPassesNothingThrough()
    {
        using var model = Model(new ReconstructionConfig());
        using (no_grad())
            foreach (var (name, parameter) in model.named_parameters())
                if (name.StartsWith("input_proj")) parameter.zero_();                   // every token becomes 0: the input is gone

        Assert.Equal(0.0, ShortcutProbe.PassThrough(model, Features(), CPU, batchSize: 2));
    }

    [Fact]
    public void TheVanillaTransformerCopiesMoreOfAChangedTokenThanTheNeighborMaskedOneAndTheProbeIsRepeatable()
    {
        using var features = Features();
        using var full = Model(new ReconstructionConfig());
        using var vanilla = Model(Presets.Vanilla(new UniadConfig()).Model);

        double masked = ShortcutProbe.PassThrough(full, features, CPU, batchSize: 2);
        double copied = ShortcutProbe.PassThrough(vanilla, features, CPU, batchSize: 2);

        // Untrained, the vanilla model's residual path carries a token straight to its own reconstruction; the masked
        // model's token reaches itself only through other tokens.
        Assert.True(copied > 5 * masked, $"vanilla {copied}, full {masked}");
        Assert.Equal(copied, ShortcutProbe.PassThrough(vanilla, features, CPU, batchSize: 3), 1e-6);    // same draws, any batching
    }
}
