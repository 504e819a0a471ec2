using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn.functional;

namespace UniAD.Core.Model;

/// <summary>Multi-head attention with PyTorch's parameter layout (packed <c>in_proj_weight</c> 3D×D,
/// <c>out_proj</c>), so official checkpoints map one to one. Sequence-first: L×B×D.</summary>
public sealed class MultiHeadAttention : nn.Module<Tensor, Tensor, Tensor, Tensor?, Tensor>
{
    private readonly Parameter in_proj_weight;
    private readonly Parameter in_proj_bias;
    private readonly Linear out_proj;
    private readonly int _heads;
    private readonly double _dropout;

    public MultiHeadAttention(int dim, int heads, double dropout) : base(nameof(MultiHeadAttention))
    {
        if (dim % heads != 0) throw new ArgumentException($"hidden_dim {dim} is not divisible by {heads} heads");
        (_heads, _dropout) = (heads, dropout);
        in_proj_weight = nn.Parameter(empty(3 * dim, dim));
        in_proj_bias = nn.Parameter(zeros(3 * dim));
        out_proj = nn.Linear(dim, dim);
        RegisterComponents();
        using (no_grad()) nn.init.xavier_uniform_(in_proj_weight);          // over the packed matrix, as PyTorch does
    }

    /// <param name="query">Lq×B×D</param>
    /// <param name="key">Lk×B×D</param>
    /// <param name="value">Lk×B×D</param>
    /// <param name="mask">Lq×Lk additive mask (−inf = forbidden), or null.</param>
    public override Tensor forward(Tensor query, Tensor key, Tensor value, Tensor? mask)
    {
        using var scope = NewDisposeScope();
        long lq = query.shape[0], batch = query.shape[1], dim = query.shape[2], lk = key.shape[0];
        var (wq, wk, wv) = Split(in_proj_weight);
        var (bq, bk, bv) = Split(in_proj_bias);
        Tensor Heads(Tensor x, long length) =>                             // L×B×D → (B·heads)×L×D/heads
            x.reshape(length, batch * _heads, dim / _heads).transpose(0, 1);
        var q = Heads(linear(query, wq, bq), lq);
        var k = Heads(linear(key, wk, bk), lk);
        var v = Heads(linear(value, wv, bv), lk);
        var attended = scaled_dot_product_attention(q, k, v, mask, training ? _dropout : 0); // (B·heads)×Lq×D/heads
        var merged = attended.transpose(0, 1).reshape(lq, batch, dim);     // Lq×B×D
        return out_proj.forward(merged).MoveToOuterDisposeScope();
    }

    private static (Tensor, Tensor, Tensor) Split(Tensor packed)
    {
        var parts = packed.chunk(3);
        return (parts[0], parts[1], parts[2]);
    }
}
