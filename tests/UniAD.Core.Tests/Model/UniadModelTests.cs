using TorchSharp;
using UniAD.Core.Configuration;
using UniAD.Core.Model;
using static TorchSharp.torch;

namespace UniAD.Core.Tests.Model;

[Collection(GlobalTorchRng.Name)]
public class UniadModelTests
{
    private static long TrainableParameters(UniadModel model) =>
        model.parameters().Where(p => p.requires_grad).Sum(p => p.numel());

    [Theory]
    [InlineData(272, 7_717_392)]   // EfficientNet-B4 layers 1-4, the MVTec-AD config (docs/model.md section 3)
    [InlineData(720, 7_947_216)]   // layers 1-5, the CIFAR-10 config
    public void PaperConfigHasTheOfficialParameterCount(int channels, long expected)
    {
        using var model = new UniadModel(new ReconstructionConfig(), channels, 14, 14);
        Assert.Equal(expected, TrainableParameters(model));
    }

    [Fact]
    public void StateDictUsesTheOfficialLayerNames()
    {
        using var model = new UniadModel(new ReconstructionConfig(), 272, 14, 14);
        var keys = model.state_dict().Keys.ToHashSet();
        Assert.Contains("input_proj.weight", keys);
        Assert.Contains("pos_embed.row_embed.weight", keys);
        Assert.Contains("transformer.encoder.layers.3.self_attn.in_proj_weight", keys);
        Assert.Contains("transformer.decoder.layers.0.learned_embed.weight", keys);
        Assert.Contains("transformer.decoder.layers.3.multihead_attn.out_proj.bias", keys);
        Assert.Contains("transformer.decoder.layers.3.norm3.weight", keys);
        Assert.Contains("transformer.decoder.norm.weight", keys);
        Assert.Equal(132, keys.Count);                                   // as many as the official module's state dict
    }

    [Theory]
    [InlineData(PositionalEmbeddingKind.Learned)]
    [InlineData(PositionalEmbeddingKind.Sine)]
    public void FixedTablesStayOutOfTheStateDictWhereverTheModelGoes(PositionalEmbeddingKind pos)
    {
        using var model = new UniadModel(new ReconstructionConfig { PositionalEmbedding = pos }, 272, 14, 14);
        int learned = pos == PositionalEmbeddingKind.Learned ? 2 : 0;
        Assert.Equal(130 + learned, model.state_dict().Count);
        model.to(float64);                                               // TorchSharp re-registers converted buffers
        Assert.Equal(130 + learned, model.state_dict().Count);
        using var input = randn(1, 272, 14, 14, dtype: float64);
        var (rec, map) = model.forward(input);                           // the mask and the sine table followed
        Assert.Equal(float64, rec.dtype);
        Assert.Equal(float64, map.dtype);
    }

    [Fact]
    public void EachDecoderLayerOwnsADistinctQueryTableOnlyInLayerwiseMode()
    {
        int QueryTables(QueryKind kind)
        {
            using var model = new UniadModel(new ReconstructionConfig { Queries = kind }, 272, 14, 14);
            return model.named_parameters().Count(p => p.name.EndsWith("learned_embed.weight") || p.name.EndsWith("shared_query.weight"));
        }
        Assert.Equal(4, QueryTables(QueryKind.Layerwise));
        Assert.Equal(1, QueryTables(QueryKind.Shared));
        Assert.Equal(0, QueryTables(QueryKind.None));
    }

    [Theory]
    [InlineData(QueryKind.Layerwise, PositionalEmbeddingKind.Learned, true)]
    [InlineData(QueryKind.Shared, PositionalEmbeddingKind.Sine, false)]
    [InlineData(QueryKind.None, PositionalEmbeddingKind.Learned, false)]
    public void OutputShapesFollowTheInput(QueryKind queries, PositionalEmbeddingKind pos, bool mask)
    {
        manual_seed(1);
        var config = new ReconstructionConfig
        {
            HiddenDim = 32, Heads = 4, FeedForwardDim = 64, EncoderLayers = 2, DecoderLayers = 3,
            Queries = queries, PositionalEmbedding = pos,
            NeighborMask = new NeighborMaskConfig { Enabled = mask, Size = [3, 3] },
        };
        using var model = new UniadModel(config, 40, 6, 8);
        using var features = randn(2, 40, 6, 8);
        var (rec, map) = model.forward(features);
        Assert.Equal(new long[] { 2, 40, 6, 8 }, rec.shape);
        Assert.Equal(new long[] { 2, 1, 6, 8 }, map.shape);
        Assert.True(map.isfinite().all().item<bool>());
        using var up = UniadModel.UpsampleMap(map, 96, 128);
        Assert.Equal(new long[] { 2, 1, 96, 128 }, up.shape);
        // align_corners=true keeps the corner values exactly
        Assert.Equal(map[0, 0, 0, 0].item<float>(), up[0, 0, 0, 0].item<float>(), 1e-6);
        Assert.Equal(map[1, 0, 5, 7].item<float>(), up[1, 0, 95, 127].item<float>(), 1e-6);
    }

    [Fact]
    public void AnomalyMapIsTheChannelwiseL2ReconstructionError()
    {
        manual_seed(2);
        var config = new ReconstructionConfig
        {
            HiddenDim = 16, Heads = 2, FeedForwardDim = 32, EncoderLayers = 1, DecoderLayers = 1,
            NeighborMask = new NeighborMaskConfig { Size = [3, 3] },
        };
        using var model = new UniadModel(config, 8, 4, 4);
        model.eval();
        using var features = randn(1, 8, 4, 4);
        var (rec, map) = model.forward(features);
        var expected = (rec - features).pow(2).sum(1, keepdim: true).sqrt();
        Assert.True(allclose(map, expected));
    }
}
