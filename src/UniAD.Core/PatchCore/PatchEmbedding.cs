using static TorchSharp.torch;
using static TorchSharp.torch.nn.functional;

namespace UniAD.Core.PatchCore;

/// <summary>PatchCore's locally aware patch features (Roth et al. 2022, section 3.1), step by step as the official code
/// computes them (docs/patchcore.md): every position of every backbone tap is described by its p×p neighbourhood; the
/// deeper taps' descriptions are bilinearly upsampled to the first tap's grid; each tap's description is average-pooled
/// to one length, and the taps' pooled descriptions, side by side, once more to the embedding length.</summary>
public static class PatchEmbedding
{
    /// <param name="taps">Per backbone layer B×C_l×H_l×W_l, the first the finest (the grid of the result).</param>
    /// <param name="patchSize">p, the side of the neighbourhood (3 in the paper).</param>
    /// <param name="layerDimension">The length each tap's p·p·C_l description is pooled to (official
    /// <c>pretrain_embed_dimension</c>).</param>
    /// <param name="dimension">The length of a patch feature (official <c>target_embed_dimension</c>).</param>
    /// <returns>B×(H_1·W_1)×dimension, positions in row-major order.</returns>
    public static Tensor Compute(IReadOnlyList<Tensor> taps, int patchSize, int layerDimension, int dimension)
    {
        if (patchSize < 1 || patchSize % 2 == 0) throw new ArgumentException($"the patch size must be odd, got {patchSize}", nameof(patchSize));
        using var scope = NewDisposeScope();
        var (batch, height, width) = (taps[0].shape[0], taps[0].shape[2], taps[0].shape[3]);
        var pooled = new List<Tensor>();
        foreach (var tap in taps)
        {
            long length = tap.shape[1] * patchSize * patchSize;
            // Column k of the unfolded tap lists position k's neighbourhood in (channel, row, column) order.
            var neighbourhoods = unfold(tap, patchSize, padding: (patchSize - 1) / 2)
                .reshape(batch, length, tap.shape[2], tap.shape[3]);                                   // B×(C·p·p)×h×w
            if (tap.shape[2] != height || tap.shape[3] != width)
                neighbourhoods = interpolate(neighbourhoods, size: [height, width], mode: InterpolationMode.Bilinear, align_corners: false);
            var descriptions = neighbourhoods.flatten(2).transpose(1, 2).reshape(-1, 1, length);      // (B·H·W)×1×(C·p·p)
            pooled.Add(adaptive_avg_pool1d(descriptions, layerDimension));                            // (B·H·W)×1×layerDimension
        }
        var sideBySide = cat(pooled, dim: 2);                                                         // (B·H·W)×1×(L·layerDimension)
        return adaptive_avg_pool1d(sideBySide, dimension).reshape(batch, height * width, dimension).MoveToOuterDisposeScope();
    }
}
