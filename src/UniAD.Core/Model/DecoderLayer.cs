using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace UniAD.Core.Model;

/// <summary>UniAD's decoder layer (post-norm). It starts from a query — its own learned table under
/// layer-wise queries — attends first to the encoder memory, then to the previous decoder layer's output,
/// then applies the feed-forward block. With layer-wise queries there is no residual from the previous
/// output: information flows only through attention. Field names match the official state dict.</summary>
public sealed class DecoderLayer : nn.Module<Tensor?, Tensor, Tensor, Tensor, Tensor?, Tensor?, Tensor>
{
    private readonly LayerwiseQuery? learned_embed;      // this layer's own queries (layer-wise mode only)
    private readonly MultiHeadAttention self_attn;       // query → encoder memory (named as in the official code)
    private readonly MultiHeadAttention multihead_attn;  // query → previous decoder output
    private readonly Linear linear1, linear2;
    private readonly LayerNorm norm1, norm2, norm3;
    private readonly Dropout dropout, dropout1, dropout2, dropout3;

    /// <param name="ownQueryTokens">Number of tokens of this layer's own query table, or null when the
    /// caller supplies the query (shared table, or none).</param>
    public DecoderLayer(int dim, int heads, int feedForwardDim, double dropoutRate, int? ownQueryTokens)
        : base(nameof(DecoderLayer))
    {
        if (ownQueryTokens is int tokens) learned_embed = new LayerwiseQuery(tokens, dim);
        self_attn = new MultiHeadAttention(dim, heads, dropoutRate);
        multihead_attn = new MultiHeadAttention(dim, heads, dropoutRate);
        linear1 = nn.Linear(dim, feedForwardDim);
        linear2 = nn.Linear(feedForwardDim, dim);
        norm1 = nn.LayerNorm(dim);
        norm2 = nn.LayerNorm(dim);
        norm3 = nn.LayerNorm(dim);
        dropout = nn.Dropout(dropoutRate);
        dropout1 = nn.Dropout(dropoutRate);
        dropout2 = nn.Dropout(dropoutRate);
        dropout3 = nn.Dropout(dropoutRate);
        RegisterComponents();
    }

    /// <param name="query">L×B×D starting tokens, or null to use this layer's own query table.</param>
    /// <param name="memory">L×B×D encoder output.</param>
    /// <param name="previous">L×B×D previous decoder layer output (the memory for the first layer).</param>
    /// <param name="pos">L×1×D</param>
    /// <param name="memoryMask">L×L neighbor mask for the memory attention, or null.</param>
    /// <param name="previousMask">L×L neighbor mask for the previous-output attention, or null.</param>
    public override Tensor forward(Tensor? query, Tensor memory, Tensor previous, Tensor pos, Tensor? memoryMask, Tensor? previousMask)
    {
        using var scope = NewDisposeScope();
        query ??= learned_embed?.forward(memory.shape[1])
                  ?? throw new InvalidOperationException("this decoder layer has no query table of its own");
        var t = norm1.forward(query + dropout1.forward(self_attn.forward(query + pos, memory + pos, memory, memoryMask)));
        t = norm2.forward(t + dropout2.forward(multihead_attn.forward(t + pos, previous + pos, previous, previousMask)));
        var hidden = dropout.forward(nn.functional.relu(linear1.forward(t)));              // L×B×F
        return norm3.forward(t + dropout3.forward(linear2.forward(hidden))).MoveToOuterDisposeScope();
    }
}
