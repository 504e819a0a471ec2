using static TorchSharp.torch;
using static TorchSharp.torch.nn.functional;

namespace UniAD.Core.PatchCore;

/// <summary>Gaussian smoothing of anomaly maps as the official PatchCore code does it with scipy's <c>gaussian_filter</c>:
/// a separable kernel of radius ⌊4σ + ½⌋, normalised to sum 1, with the border mirrored through the edge pixels'
/// outer edge (d c b a | a b c d, scipy's "reflect").</summary>
public static class GaussianSmoothing
{
    /// <param name="maps">B×1×H×W.</param>
    public static Tensor Apply(Tensor maps, double sigma)
    {
        if (sigma <= 0) return maps.alias();
        using var scope = NewDisposeScope();
        int radius = (int)(4 * sigma + 0.5);
        var weights = Enumerable.Range(-radius, 2 * radius + 1).Select(i => Math.Exp(-0.5 * i * i / (sigma * sigma))).ToArray();
        double total = weights.Sum();
        var kernel = tensor(weights.Select(w => (float)(w / total)).ToArray(), device: maps.device);
        var rows = conv2d(Mirror(maps, radius, dim: 2), kernel.reshape(1, 1, -1, 1));
        return conv2d(Mirror(rows, radius, dim: 3), kernel.reshape(1, 1, 1, -1)).MoveToOuterDisposeScope();
    }

    /// <summary><paramref name="maps"/> padded by <paramref name="radius"/> along <paramref name="dim"/>, mirrored about
    /// the outer edges (index −1 reads 0, −2 reads 1, n reads n − 1); for a radius beyond the size the mirroring repeats.</summary>
    private static Tensor Mirror(Tensor maps, int radius, int dim)
    {
        long size = maps.shape[dim];
        var source = Enumerable.Range(-radius, (int)size + 2 * radius).Select(i =>
        {
            long period = 2 * size, j = ((i % period) + period) % period;
            return j < size ? j : period - 1 - j;
        }).ToArray();
        return maps.index_select(dim, tensor(source, device: maps.device));
    }
}
