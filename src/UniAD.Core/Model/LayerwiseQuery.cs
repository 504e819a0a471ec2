using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace UniAD.Core.Model;

/// <summary>Layer-wise learnable query (docs/model.md section 3.3): a table of L query tokens, N(0, 1) at init,
/// that a decoder layer starts from instead of its input, so the decoder cannot simply pass the
/// (possibly anomalous) input through.</summary>
public sealed class LayerwiseQuery : nn.Module<long, Tensor>
{
    private readonly Parameter weight;

    public LayerwiseQuery(int tokens, int dim) : base(nameof(LayerwiseQuery))
    {
        weight = nn.Parameter(randn(tokens, dim));
        RegisterComponents();
    }

    /// <returns>L×B×D: the same table for every item of the batch.</returns>
    public override Tensor forward(long batch) => weight.unsqueeze(1).expand(-1, batch, -1);
}
