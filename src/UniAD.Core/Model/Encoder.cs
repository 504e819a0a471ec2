using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace UniAD.Core.Model;

/// <summary>The encoder: a stack of post-norm layers with no final norm (the official code adds one only
/// for pre-norm). State-dict names are the official <c>transformer.encoder.layers.N.*</c>.</summary>
public sealed class Encoder : nn.Module<Tensor, Tensor, Tensor?, Tensor>
{
    private readonly ModuleList<EncoderLayer> layers;

    public Encoder(int count, int dim, int heads, int feedForwardDim, double dropoutRate) : base(nameof(Encoder))
    {
        layers = nn.ModuleList(Enumerable.Range(0, count)
            .Select(_ => new EncoderLayer(dim, heads, feedForwardDim, dropoutRate)).ToArray());
        RegisterComponents();
    }

    /// <param name="tokens">L×B×D projected input tokens.</param>
    /// <param name="pos">L×1×D</param>
    /// <param name="mask">L×L neighbor mask, or null.</param>
    /// <returns>L×B×D memory for the decoder.</returns>
    public override Tensor forward(Tensor tokens, Tensor pos, Tensor? mask)
    {
        using var scope = NewDisposeScope();
        var memory = tokens;
        foreach (var layer in layers) memory = layer.forward(memory, pos, mask);
        return memory.MoveToOuterDisposeScope();
    }
}
