using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace UniAD.Core.Model;

/// <summary>2-D positional embedding of the token grid, L×1×D (token index h·W + w), added to the
/// queries and keys of every attention, never to the values.</summary>
public abstract class PositionalEmbedding : nn.Module
{
    protected PositionalEmbedding(string name) : base(name) { }

    /// <returns>L×1×D, on the module's device.</returns>
    public abstract Tensor forward();
}

/// <summary>Learned embedding: pos[h·W + w] = concat(col_embed[w], row_embed[h]), both U[0, 1) at init.</summary>
public sealed class LearnedPositionalEmbedding : PositionalEmbedding
{
    private readonly Embedding row_embed;
    private readonly Embedding col_embed;
    private readonly int _height, _width;

    public LearnedPositionalEmbedding(int height, int width, int dim) : base(nameof(LearnedPositionalEmbedding))
    {
        (_height, _width) = (height, width);
        row_embed = nn.Embedding(height, dim / 2);
        col_embed = nn.Embedding(width, dim - dim / 2);
        RegisterComponents();
        using (no_grad())
        {
            nn.init.uniform_(row_embed.weight!);
            nn.init.uniform_(col_embed.weight!);
        }
    }

    public override Tensor forward()
    {
        using var scope = NewDisposeScope();
        var x = col_embed.weight!.unsqueeze(0).expand(_height, -1, -1);   // H×W×D/2
        var y = row_embed.weight!.unsqueeze(1).expand(-1, _width, -1);     // H×W×D/2
        return cat([x, y], dim: 2).flatten(0, 1).unsqueeze(1).MoveToOuterDisposeScope(); // L×1×D
    }
}

/// <summary>DETR's fixed sine embedding (normalised to 2π, temperature 10000), the official "sine" option.</summary>
public sealed class SinePositionalEmbedding : PositionalEmbedding
{
    private Tensor table;                                // L×1×D; a non-persistent buffer: the official module has no such state

    public SinePositionalEmbedding(int height, int width, int dim) : base(nameof(SinePositionalEmbedding))
    {
        const double temperature = 10000, eps = 1e-6;
        int feats = dim / 2;
        using (var scope = NewDisposeScope())
        {
            var y = arange(1, height + 1, dtype: float32).unsqueeze(1).expand(height, width) / (height + eps) * 2 * Math.PI;
            var x = arange(1, width + 1, dtype: float32).unsqueeze(0).expand(height, width) / (width + eps) * 2 * Math.PI;
            var dimT = pow(temperature, 2 * arange(feats, dtype: float32).div(2, rounding_mode: RoundingMode.floor) / feats);
            Tensor Encode(Tensor p)                                        // H×W → H×W×feats
            {
                var scaled = p.unsqueeze(2) / dimT;
                return stack([scaled[.., .., TensorIndex.Slice(0, null, 2)].sin(),
                              scaled[.., .., TensorIndex.Slice(1, null, 2)].cos()], dim: 3).flatten(2);
            }
            table = cat([Encode(y), Encode(x)], dim: 2).flatten(0, 1).unsqueeze(1).MoveToOuterDisposeScope(); // L×1×D
        }
        register_buffer(nameof(table), table, persistent: false);
        RegisterComponents();
    }

    public override Tensor forward() => table.alias();

    protected override void _toEpilog(ScalarType? dtype, Device? device, bool non_blocking)
    {
        base._toEpilog(dtype, device, non_blocking);
        table = FixedTable.To(table, dtype, device);
        ConditionallyRegisterBuffer(nameof(table), table, persistent: false);
    }
}
