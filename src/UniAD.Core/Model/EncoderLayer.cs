using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace UniAD.Core.Model;

/// <summary>Post-norm transformer encoder layer; positions go into queries and keys only.
/// Field names match the official state dict (<c>encoder.layers.N.*</c>).</summary>
public sealed class EncoderLayer : nn.Module<Tensor, Tensor, Tensor?, Tensor>
{
    private readonly MultiHeadAttention self_attn;
    private readonly Linear linear1, linear2;
    private readonly LayerNorm norm1, norm2;
    private readonly Dropout dropout, dropout1, dropout2;

    public EncoderLayer(int dim, int heads, int feedForwardDim, double dropoutRate) : base(nameof(EncoderLayer))
    {
        self_attn = new MultiHeadAttention(dim, heads, dropoutRate);
        linear1 = nn.Linear(dim, feedForwardDim);
        linear2 = nn.Linear(feedForwardDim, dim);
        norm1 = nn.LayerNorm(dim);
        norm2 = nn.LayerNorm(dim);
        dropout = nn.Dropout(dropoutRate);
        dropout1 = nn.Dropout(dropoutRate);
        dropout2 = nn.Dropout(dropoutRate);
        RegisterComponents();
    }

    /// <param name="x">L×B×D</param>
    /// <param name="pos">L×1×D</param>
    /// <param name="mask">L×L neighbor mask or null.</param>
    public override Tensor forward(Tensor x, Tensor pos, Tensor? mask)
    {
        using var scope = NewDisposeScope();
        var qk = x + pos;
        x = norm1.forward(x + dropout1.forward(self_attn.forward(qk, qk, x, mask)));
        var hidden = dropout.forward(nn.functional.relu(linear1.forward(x)));              // L×B×F
        return norm2.forward(x + dropout2.forward(linear2.forward(hidden))).MoveToOuterDisposeScope();
    }
}
