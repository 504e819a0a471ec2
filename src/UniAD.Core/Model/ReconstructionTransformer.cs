using TorchSharp;
using UniAD.Core.Configuration;
using static TorchSharp.torch;

namespace UniAD.Core.Model;

/// <summary>The encoder–decoder of UniAD (docs/model.md section 3). The neighbor mask is built once for the
/// token grid and handed to the attention sites the config enables.</summary>
public sealed class ReconstructionTransformer : nn.Module<Tensor, Tensor, Tensor>
{
    private readonly Encoder encoder;
    private readonly Decoder decoder;
    private Tensor? neighbor_mask;                       // L×L; a non-persistent buffer, as the official code rebuilds it
    private readonly NeighborMaskConfig _mask;

    public ReconstructionTransformer(ReconstructionConfig config, int gridHeight, int gridWidth)
        : base(nameof(ReconstructionTransformer))
    {
        _mask = config.NeighborMask;
        encoder = new Encoder(config.EncoderLayers, config.HiddenDim, config.Heads, config.FeedForwardDim, config.Dropout);
        decoder = new Decoder(config.DecoderLayers, config.HiddenDim, config.Heads, config.FeedForwardDim, config.Dropout,
            config.Queries, gridHeight * gridWidth);
        if (_mask.Enabled)
            register_buffer(nameof(neighbor_mask),
                neighbor_mask = NeighborMask.Create(gridHeight, gridWidth, _mask.Size[0], _mask.Size[1]), persistent: false);
        RegisterComponents();
    }

    /// <param name="tokens">L×B×D projected input tokens.</param>
    /// <param name="pos">L×1×D positional embedding.</param>
    /// <returns>L×B×D decoder output.</returns>
    public override Tensor forward(Tensor tokens, Tensor pos)
    {
        Tensor? MaskIf(bool site) => site ? neighbor_mask : null;
        using var scope = NewDisposeScope();
        var memory = encoder.forward(tokens, pos, MaskIf(_mask.Encoder));
        return decoder.forward(memory, pos, MaskIf(_mask.DecoderMemory), MaskIf(_mask.DecoderPrevious)).MoveToOuterDisposeScope();
    }

    protected override void _toEpilog(ScalarType? dtype, Device? device, bool non_blocking)
    {
        base._toEpilog(dtype, device, non_blocking);
        if (neighbor_mask is null) return;
        neighbor_mask = FixedTable.To(neighbor_mask, dtype, device);
        ConditionallyRegisterBuffer(nameof(neighbor_mask), neighbor_mask, persistent: false);
    }
}
