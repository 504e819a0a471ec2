using UniAD.Core.Data;
using UniAD.Core.Model;
using static TorchSharp.torch;

namespace UniAD.Core.Evaluation;

/// <summary>The "identical shortcut" (paper section 3.1) measured directly: how much of a change to one input token a
/// model copies into its reconstruction of that token. A model that has learned to copy its input (1) reconstructs a
/// defect as faithfully as normal texture and cannot find it; one that reconstructs the normal features whatever the
/// input (0) leaves the whole change in the anomaly map. UniAD's neighbor mask, layer-wise queries and jitter exist to
/// keep this low.</summary>
public static class ShortcutProbe
{
    /// <summary><see cref="PassThrough"/> on the normal images among <paramref name="samples"/>; null when there are none.</summary>
    /// <param name="features">N×C×H×W features of <paramref name="samples"/>, in their order.</param>
    public static double? OnNormalImages(UniadModel model, Tensor features, IReadOnlyList<AnomalySample> samples, Device device, int batchSize)
    {
        long[] normal = [.. Enumerable.Range(0, samples.Count).Where(i => !samples[i].IsAnomalous).Select(i => (long)i)];
        if (normal.Length == 0) return null;
        using var index = tensor(normal);
        using var normalFeatures = features.index_select(0, index);
        return PassThrough(model, normalFeatures, device, batchSize);
    }

    /// <param name="normalFeatures">N×C×H×W features of normal images.</param>
    /// <returns>The mean over the images of ‖Δreconstruction‖ / ‖δ‖ at one random token per image, where δ is a random
    /// direction as long as the token's own feature vector (so its size matches the features').</returns>
    public static double PassThrough(UniadModel model, Tensor normalFeatures, Device device, int batchSize, long seed = 0)
    {
        model.eval();
        using var _ = no_grad();
        long count = normalFeatures.shape[0], channels = normalFeatures.shape[1], height = normalFeatures.shape[2], width = normalFeatures.shape[3];
        using var generator = new Generator((ulong)seed);
        using var allSites = randint(height * width, [count], generator: generator);                             // N, drawn before batching:
        using var allDirections = randn([count, channels], generator: generator);                                  // N×C, any batch size gives the same
        double sum = 0;
        for (long start = 0; start < count; start += batchSize)
        {
            using var scope = NewDisposeScope();
            long batch = Math.Min(batchSize, count - start);
            var x = normalFeatures.narrow(0, start, batch).to(float32).to(device);                                   // B×C×H×W
            var sites = allSites.narrow(0, start, batch).to(device);                                                  // B
            var rows = arange(batch, device: device);
            var tokens = x.flatten(2).permute(0, 2, 1);                                                          // B×L×C
            var token = tokens[rows, sites];                                                                     // B×C
            var direction = allDirections.narrow(0, start, batch).to(device);
            var delta = direction / direction.norm(1, keepdim: true) * token.norm(1, keepdim: true);            // B×C, ‖δ‖ = ‖token‖
            var perturbed = tokens.clone();
            perturbed[rows, sites] = token + delta;
            var xPerturbed = perturbed.permute(0, 2, 1).reshape(batch, channels, height, width);

            var before = model.forward(x).FeatureRec.flatten(2).permute(0, 2, 1)[rows, sites];                   // B×C
            var after = model.forward(xPerturbed).FeatureRec.flatten(2).permute(0, 2, 1)[rows, sites];
            sum += ((after - before).norm(1) / delta.norm(1)).sum().item<float>();
        }
        return sum / count;
    }
}
