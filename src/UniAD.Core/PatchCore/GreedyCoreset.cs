using System.Numerics;
using TorchSharp;
using static TorchSharp.torch;

namespace UniAD.Core.PatchCore;

/// <summary>PatchCore's coreset (Roth et al. 2022, section 3.2, algorithm 1): greedy k-center selection, each pick the
/// patch farthest from those picked so far, so that a fraction of the memory bank covers it all. As the official code's
/// approximate sampler (docs/patchcore.md): distances are measured after a random linear projection to a few
/// dimensions, and before the first pick each patch's distance is its mean distance to a few random patches.</summary>
public static class GreedyCoreset
{
    /// <summary>The picked patches, in the order they were picked, and the projection their distances were measured after
    /// (D×d row-major; null when the features were used as they are).</summary>
    public sealed record Selection(int[] Picks, float[]? Projection);

    /// <summary>The picked patches and the projection.</summary>
    /// <param name="features">N×D patch features (float32).</param>
    /// <param name="fraction">The share of the patches kept; 1 keeps them all, unpicked (as the official code).</param>
    /// <param name="projectionDimension">The dimension distances are measured in; features of at most this many
    /// dimensions are used as they are.</param>
    /// <param name="startingPoints">How many random patches give the distances before the first pick.</param>
    /// <param name="picked">Told how many patches are picked so far, every 1% of them.</param>
    public static Selection Select(Tensor features, double fraction, int projectionDimension, int startingPoints, int seed,
        IProgress<int>? picked = null, CancellationToken cancel = default)
    {
        if (fraction is <= 0 or > 1) throw new ArgumentOutOfRangeException(nameof(fraction), fraction, "the coreset fraction must be in (0, 1]");
        int count = checked((int)features.shape[0]);
        if (fraction == 1) return new Selection(Enumerable.Range(0, count).ToArray(), null);
        using var generator = new Generator((ulong)seed);
        var (points, dimension, projection) = Project(features, projectionDimension, generator);
        using var order = randperm(count, generator: generator);
        var starts = order.narrow(0, 0, Math.Min(startingPoints, count)).data<long>().Select(i => (int)i).ToArray();
        return new Selection(Pick(points, dimension, Size(count, fraction), starts, picked, cancel), projection);
    }

    /// <summary>How many of <paramref name="count"/> patches a coreset of <paramref name="fraction"/> keeps (as the
    /// official code: the product rounded down), at least one.</summary>
    public static int Size(long count, double fraction) => fraction == 1 ? checked((int)count) : Math.Max(1, checked((int)(count * fraction)));

    /// <summary>The features times a random D×d matrix whose entries are uniform in ±1/√D: the official code's bias-free
    /// linear layer at its default initialisation. Such a map keeps distances up to a common factor, closely for d in the
    /// hundreds (Johnson–Lindenstrauss), and makes each distance d/D as costly.</summary>
    private static (float[] Points, int Dimension, float[]? Projection) Project(Tensor features, int projectionDimension, Generator generator)
    {
        using var scope = NewDisposeScope();
        long dimension = features.shape[1];
        var projected = features.to(float32);
        if (dimension <= projectionDimension) return (projected.contiguous().data<float>().ToArray(), (int)dimension, null);
        double bound = 1 / Math.Sqrt(dimension);
        var map = rand([dimension, projectionDimension], generator: generator).mul_(2 * bound).sub_(bound);   // D×d
        projected = projected.matmul(map);                                                                   // N×d
        return (projected.contiguous().data<float>().ToArray(), projectionDimension, map.data<float>().ToArray());
    }

    /// <summary>Greedy k-center on the given points (row-major, <paramref name="dimension"/> values each) from the given
    /// starting points: the same picks, in the same order, as measuring every point's distance to every pick. Triangle
    /// inequalities leave most of those distances unmeasured: each point keeps an anchor pick and its exact distance to
    /// it, and a new pick p can bring point x closer than its current distance m(x) only if ‖p − anchor‖ − ‖x − anchor‖ &lt; m(x).</summary>
    public static int[] Pick(float[] points, int dimension, int picks, IReadOnlyList<int> starts, IProgress<int>? picked = null,
        CancellationToken cancel = default)
    {
        int count = points.Length / dimension;
        if (picks > count) throw new ArgumentOutOfRangeException(nameof(picks), picks, $"cannot pick more than the {count} points");
        var distance = new float[count];           // m(x): to the nearest pick (before the first, the mean to the starts)
        var anchorDistance = new float[count];     // u(x): exact, to x's anchor pick
        for (int x = 0; x < count; x++)
        {
            double sum = 0;
            foreach (int s in starts) sum += Distance(points, dimension, x, s);
            distance[x] = (float)(sum / starts.Count);
        }
        var chosen = new int[picks];
        int reportEvery = Math.Max(1, picks / 100);
        var members = new List<List<int>>();       // per pick, the points anchored to it
        var bound = new List<float>();             // per pick, the largest u(x) + m(x) of its points
        var farthest = new List<int>();            // per pick, its point with the largest m(x) (the first on ties)
        for (int t = 0; t < picks; t++)
        {
            cancel.ThrowIfCancellationRequested();
            int p = t == 0 ? ArgMax(distance, Enumerable.Range(0, count)) : FarthestOf(farthest, distance);
            chosen[t] = p;
            var anchored = new List<int>();
            if (t == 0)
            {
                for (int x = 0; x < count; x++) Anchor(x, Distance(points, dimension, x, p), anchored, distance, anchorDistance);
            }
            else
            {
                for (int k = 0; k < t; k++)
                {
                    float between = Distance(points, dimension, chosen[k], p);
                    if (between > bound[k] * Margin) continue;           // no point of pick k can come closer to p
                    var kept = new List<int>(members[k].Count);
                    foreach (int x in members[k])
                    {
                        if (between - anchorDistance[x] > distance[x] * Margin) { kept.Add(x); continue; }
                        float d = Distance(points, dimension, x, p);
                        if (d < anchorDistance[x]) Anchor(x, d, anchored, distance, anchorDistance);
                        else kept.Add(x);
                    }
                    members[k] = kept;
                    (bound[k], farthest[k]) = Summary(kept, distance, anchorDistance);
                }
            }
            members.Add(anchored);
            var (b, f) = Summary(anchored, distance, anchorDistance);
            bound.Add(b);
            farthest.Add(f);
            if ((t + 1) % reportEvery == 0 || t + 1 == picks) picked?.Report(t + 1);
        }
        return chosen;
    }

    /// <summary>A relative slack on the pruning tests, so that float rounding never skips a point that comes closer.</summary>
    private const float Margin = 1 + 1e-5f;

    private static void Anchor(int x, float d, List<int> anchored, float[] distance, float[] anchorDistance)
    {
        anchorDistance[x] = d;
        if (d < distance[x]) distance[x] = d;
        anchored.Add(x);
    }

    private static (float Bound, int Farthest) Summary(List<int> points, float[] distance, float[] anchorDistance)
    {
        float bound = 0;
        foreach (int x in points) bound = Math.Max(bound, anchorDistance[x] + distance[x]);
        return (bound, points.Count == 0 ? -1 : ArgMax(distance, points));
    }

    /// <summary>The point with the largest distance; of equals, the lowest index (as argmax in numpy and torch).</summary>
    private static int ArgMax(float[] distance, IEnumerable<int> points)
    {
        int best = -1;
        foreach (int x in points)
            if (best < 0 || distance[x] > distance[best] || (distance[x] == distance[best] && x < best)) best = x;
        return best;
    }

    private static int FarthestOf(List<int> farthest, float[] distance) => ArgMax(distance, farthest.Where(x => x >= 0));

    private static float Distance(float[] points, int dimension, int a, int b)
    {
        var x = points.AsSpan(a * dimension, dimension);
        var y = points.AsSpan(b * dimension, dimension);
        var sum = Vector<float>.Zero;
        int i = 0;
        for (; i <= dimension - Vector<float>.Count; i += Vector<float>.Count)
        {
            var difference = new Vector<float>(x[i..]) - new Vector<float>(y[i..]);
            sum += difference * difference;
        }
        float total = Vector.Sum(sum);
        for (; i < dimension; i++) total += (x[i] - y[i]) * (x[i] - y[i]);
        return MathF.Sqrt(total);
    }
}
