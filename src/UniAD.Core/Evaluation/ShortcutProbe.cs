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
    /// <param name="normalFeatures">N×C×H×W features of normal images.</param>
    /// <returns>The mean over the images of ‖Δreconstruction‖ / ‖δ‖ at one random token per image, where δ is a random
    /// direction as long as the token's own feature vector (so its size matches the features').</returns>
    public static double PassThrough(UniadModel model, Tensor normalFeatures, Device device, int batchSize, long seed = 0)
    {
        model.eval();
        using var _ = no_grad();
        using var generator = new Generator((ulong)seed);
        long count = normalFeatures.shape[0], channels = normalFeatures.shape[1], height = normalFeatures.shape[2], width = normalFeatures.shape[3];
        double sum = 0;
        for (long start = 0; start < count; start += batchSize)
        {
            using var scope = NewDisposeScope();
            var x = normalFeatures.narrow(0, start, Math.Min(batchSize, count - start)).to(float32).to(device);   // B×C×H×W
            long batch = x.shape[0];
            var sites = randint(height * width, [batch], generator: generator).to(device);                       // B
            var rows = arange(batch, device: device);
            var tokens = x.flatten(2).permute(0, 2, 1);                                                          // B×L×C
            var token = tokens[rows, sites];                                                                     // B×C
            var direction = randn([batch, channels], generator: generator).to(device);
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
