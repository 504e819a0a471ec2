using TorchSharp;
using TorchSharp.Modules;
using UniAD.Core.Configuration;
using static TorchSharp.torch;

namespace UniAD.Core.Model;

/// <summary>The encoder–decoder of UniAD: post-norm encoder layers (no final norm), decoder layers that
/// start from learned queries, and a final decoder LayerNorm. Neighbor masks are built once for the
/// token grid and passed to the attention sites the config enables.</summary>
public sealed class ReconstructionTransformer : nn.Module<Tensor, Tensor, Tensor>
{
    private readonly ModuleList<EncoderLayer> encoder_layers;
    private readonly ModuleList<DecoderLayer> decoder_layers;
    private readonly LayerwiseQuery? shared_query;
    private readonly LayerNorm decoder_norm;
    private readonly QueryKind _queries;
    private readonly NeighborMaskConfig _mask;
    private Tensor? _neighborMask;                       // L×L, on the device of the last input

    public ReconstructionTransformer(ReconstructionConfig config, int gridHeight, int gridWidth)
        : base(nameof(ReconstructionTransformer))
    {
        int dim = config.HiddenDim, tokens = gridHeight * gridWidth;
        (_queries, _mask) = (config.Queries, config.NeighborMask);
        encoder_layers = nn.ModuleList(Enumerable.Range(0, config.EncoderLayers)
            .Select(_ => new EncoderLayer(dim, config.Heads, config.FeedForwardDim, config.Dropout)).ToArray());
        decoder_layers = nn.ModuleList(Enumerable.Range(0, config.DecoderLayers)
            .Select(_ => new DecoderLayer(dim, config.Heads, config.FeedForwardDim, config.Dropout,
                ownQueryTokens: config.Queries == QueryKind.Layerwise ? tokens : null)).ToArray());
        if (config.Queries == QueryKind.Shared) shared_query = new LayerwiseQuery(tokens, dim);
        decoder_norm = nn.LayerNorm(dim);
        RegisterComponents();
        if (_mask.Enabled) _neighborMask = NeighborMask.Create(gridHeight, gridWidth, _mask.Size[0], _mask.Size[1]);
    }

    /// <param name="tokens">L×B×D projected input tokens.</param>
    /// <param name="pos">L×1×D positional embedding.</param>
    /// <returns>L×B×D decoder output.</returns>
    public override Tensor forward(Tensor tokens, Tensor pos)
    {
        using var scope = NewDisposeScope();
        var mask = NeighborMaskOn(tokens.device);
        Tensor? MaskIf(bool site) => site ? mask : null;

        var memory = tokens;
        foreach (var layer in encoder_layers)
            memory = layer.forward(memory, pos, MaskIf(_mask.Encoder));

        var output = memory;
        foreach (var layer in decoder_layers)
        {
            var query = _queries switch
            {
                QueryKind.Layerwise => null,                               // the layer's own table
                QueryKind.Shared => shared_query!.forward(memory.shape[1]),
                _ => output,                                               // vanilla: continue from the previous output
            };
            output = layer.forward(query, memory, output, pos, MaskIf(_mask.DecoderMemory), MaskIf(_mask.DecoderPrevious));
        }
        return decoder_norm.forward(output).MoveToOuterDisposeScope();
    }

    /// <summary>The mask is derived from the config rather than stored in the state dict, so it follows the
    /// input to its device here instead of through module.to().</summary>
    private Tensor? NeighborMaskOn(Device device)
    {
        if (_neighborMask is null || _neighborMask.device == device) return _neighborMask;
        var moved = _neighborMask.to(device).DetachFromDisposeScope();
        _neighborMask.Dispose();
        return _neighborMask = moved;
    }
}
