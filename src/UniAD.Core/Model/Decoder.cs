using TorchSharp;
using TorchSharp.Modules;
using UniAD.Core.Configuration;
using static TorchSharp.torch;

namespace UniAD.Core.Model;

/// <summary>The decoder: a stack of layers that start from learned queries, then a final LayerNorm.
/// State-dict names are the official <c>transformer.decoder.layers.N.*</c> and <c>transformer.decoder.norm.*</c>;
/// <c>shared_query</c> exists only in the lab's shared-query ablation, which the official code lacks.</summary>
public sealed class Decoder : nn.Module<Tensor, Tensor, Tensor?, Tensor?, Tensor>
{
    // Declared in this order so the parameters keep the order of checkpoints written before the official
    // names (layers, shared query, norm): the optimizer state is restored by position.
    private readonly ModuleList<DecoderLayer> layers;
    private readonly LayerwiseQuery? shared_query;
    private readonly LayerNorm norm;
    private readonly QueryKind _queries;

    public Decoder(int count, int dim, int heads, int feedForwardDim, double dropoutRate, QueryKind queries, int tokens)
        : base(nameof(Decoder))
    {
        _queries = queries;
        layers = nn.ModuleList(Enumerable.Range(0, count)
            .Select(_ => new DecoderLayer(dim, heads, feedForwardDim, dropoutRate,
                ownQueryTokens: queries == QueryKind.Layerwise ? tokens : null)).ToArray());
        if (queries == QueryKind.Shared) shared_query = new LayerwiseQuery(tokens, dim);
        norm = nn.LayerNorm(dim);
        RegisterComponents();
    }

    /// <param name="memory">L×B×D encoder output; also the "previous output" of the first layer.</param>
    /// <param name="pos">L×1×D</param>
    /// <param name="memoryMask">L×L neighbor mask of the query-to-memory attention, or null.</param>
    /// <param name="previousMask">L×L neighbor mask of the query-to-previous-output attention, or null.</param>
    /// <returns>L×B×D</returns>
    public override Tensor forward(Tensor memory, Tensor pos, Tensor? memoryMask, Tensor? previousMask)
    {
        using var scope = NewDisposeScope();
        var output = memory;
        foreach (var layer in layers)
        {
            var query = _queries switch
            {
                QueryKind.Layerwise => null,                               // the layer's own table
                QueryKind.Shared => shared_query!.forward(memory.shape[1]),
                _ => output,                                               // vanilla: continue from the previous output
            };
            output = layer.forward(query, memory, output, pos, memoryMask, previousMask);
        }
        return norm.forward(output).MoveToOuterDisposeScope();
    }
}
