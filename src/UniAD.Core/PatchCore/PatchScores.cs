using static TorchSharp.torch;
using static TorchSharp.torch.nn.functional;

namespace UniAD.Core.PatchCore;

/// <summary>From each test patch's distance to its nearest bank patch to PatchCore's anomaly map and image score
/// (Roth et al. 2022, section 3.3).</summary>
public static class PatchScores
{
    /// <summary>The anomaly maps: the patch scores bilinearly upsampled to the input size, then smoothed (official code).</summary>
    /// <param name="scores">B×h×w nearest-bank distances.</param>
    /// <returns>B×1×H×W.</returns>
    public static Tensor Maps(Tensor scores, int height, int width, double sigma)
    {
        using var upsampled = interpolate(scores.unsqueeze(1), size: [height, width], mode: InterpolationMode.Bilinear, align_corners: false);
        return GaussianSmoothing.Apply(upsampled, sigma);
    }

    /// <summary>The official code's image score: the largest patch score.</summary>
    /// <param name="scores">B×P.</param>
    public static Tensor Maximum(Tensor scores) => scores.amax(1);

    /// <summary>The paper's image score (eq. 7): the largest patch score s* = ‖m_test* − m*‖, weighted by how unusual m*
    /// is among its own <paramref name="neighbours"/> nearest bank patches N_b(m*), which include m* itself:
    /// s = (1 − exp‖m_test* − m*‖ / Σ_{m∈N_b(m*)} exp‖m_test* − m‖) · s*.</summary>
    /// <param name="scores">B×P nearest-bank distances of the test patches.</param>
    /// <param name="nearest">B×P the index of each test patch's nearest bank patch.</param>
    /// <param name="features">B×P×D the test patch features.</param>
    public static Tensor Reweighted(Tensor scores, Tensor nearest, Tensor features, Tensor bank, NearestNeighbours search, int neighbours)
    {
        using var scope = NewDisposeScope();
        var (highest, at) = scores.max(1, keepdim: true);                                              // B×1
        var testPatch = features.gather(1, at.unsqueeze(2).expand(-1, -1, features.shape[2])).squeeze(1);   // B×D: m_test*
        var bankPatch = bank.index_select(0, nearest.gather(1, at).squeeze(1));                       // B×D: m*
        var (_, support) = search.Search(bankPatch, Math.Min(neighbours, (int)bank.shape[0]));         // B×k: N_b(m*), m* first
        var supportPatches = bank.index_select(0, support.flatten()).reshape(support.shape[0], support.shape[1], -1);  // B×k×D
        var distances = (supportPatches - testPatch.unsqueeze(1)).square().sum(2).sqrt();              // B×k
        // The distance to m* itself is s*, the first of the supports (nearest first; m* is at distance 0 from itself).
        var weight = 1 - softmax(distances.to(float64), 1).select(1, 0);
        return (weight * highest.squeeze(1).to(float64)).to(float32).MoveToOuterDisposeScope();
    }
}
