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
    /// inequalities leave most of those distances unmeasured. Each point keeps an anchor pick and its exact distance u(x)
    /// to it (u(x) ≥ m(x), its distance to the nearest pick), and a new pick p can bring x closer only if
    /// ‖p − anchor‖ − u(x) &lt; m(x): not at all for a pick farther from the anchor than any of its points' u + m, and for
    /// none of the points with u(x) ≤ ‖p − anchor‖ / 2, which, with each anchor's points kept in decreasing u, end its scan.
    /// The anchors' scans are spread over the machine's cores; each touches only its own points, so the picks do not
    /// depend on how they are spread. Each anchor keeps its points' coordinates in one block of its own, and the picks'
    /// in another, so that a scan reads memory in order rather than jumping across all the points.</summary>
    public static int[] Pick(float[] points, int dimension, int picks, IReadOnlyList<int> starts, IProgress<int>? picked = null,
        CancellationToken cancel = default)
    {
        int count = points.Length / dimension;
        if (picks > count) throw new ArgumentOutOfRangeException(nameof(picks), picks, $"cannot pick more than the {count} points");
        var distance = new float[count];           // m(x): to the nearest pick (before the first, the mean to the starts)
        var anchorDistance = new float[count];     // u(x): exact, to x's anchor pick
        Parallel.For(0, count, x =>
        {
            double sum = 0;
            foreach (int s in starts) sum += Distance(Row(points, dimension, x), Row(points, dimension, s));
            distance[x] = (float)(sum / starts.Count);
        });
        var chosen = new int[picks];
        var chosenPoints = new float[(long)picks * dimension];
        int reportEvery = Math.Max(1, picks / 100);
        var members = new int[picks][];            // per pick, the points anchored to it, in decreasing u(x)
        var memberPoints = new float[picks][];     // per pick, those points' coordinates, in the same order
        var memberCount = new int[picks];
        var bound = new float[picks];              // per pick, the largest u(x) + m(x) of its points
        var farthest = new int[picks];             // per pick, its point with the largest m(x) (the first on ties), or -1
        int workers = Math.Max(1, Math.Min(Environment.ProcessorCount, 8));
        var anchoredBy = Enumerable.Range(0, workers).Select(_ => new List<int>()).ToArray();
        for (int t = 0; t < picks; t++)
        {
            cancel.ThrowIfCancellationRequested();
            int p = t == 0 ? Farthest(distance, Enumerable.Range(0, count)) : Farthest(distance, farthest.Take(t));
            chosen[t] = p;
            Row(points, dimension, p).CopyTo(chosenPoints.AsSpan(t * dimension, dimension));
            if (t == 0)
            {
                for (int x = 0; x < count; x++) Anchor(x, Distance(Row(points, dimension, x), Row(points, dimension, p)), anchoredBy[0], distance, anchorDistance);
            }
            else
            {
                Parallel.For(0, Math.Min(workers, t), w =>
                {
                    for (int k = w; k < t; k += workers) Rescan(k, p, anchoredBy[w]);
                });
            }
            var anchored = anchoredBy.SelectMany(a => a).ToArray();
            foreach (var list in anchoredBy) list.Clear();
            Array.Sort(anchored.Select(x => -anchorDistance[x]).ToArray(), anchored);
            var block = new float[(long)anchored.Length * dimension];
            for (int i = 0; i < anchored.Length; i++) Row(points, dimension, anchored[i]).CopyTo(block.AsSpan(i * dimension, dimension));
            (members[t], memberPoints[t], memberCount[t]) = (anchored, block, anchored.Length);
            (bound[t], farthest[t]) = Summary(anchored, anchored.Length, distance, anchorDistance);
            if ((t + 1) % reportEvery == 0 || t + 1 == picks) picked?.Report(t + 1);
        }
        return chosen;

        // The points of pick k that new pick p comes closer to than their anchor move to p (into anchored).
        void Rescan(int k, int p, List<int> anchored)
        {
            var newPick = Row(points, dimension, p);
            float between = Distance(Row(chosenPoints, dimension, k), newPick);
            if (between > bound[k] * Margin) return;                     // no point of pick k can come closer to p
            var (own, block, n) = (members[k], memberPoints[k], memberCount[k]);
            int kept = 0, i = 0;
            for (; i < n; i++)
            {
                int x = own[i];
                float u = anchorDistance[x];
                if (between - u > u * Margin) break;                     // nor can this point or any after it
                if (between - u <= distance[x] * Margin)
                {
                    float d = Distance(Row(block, dimension, i), newPick);
                    if (d < u)
                    {
                        Anchor(x, d, anchored, distance, anchorDistance);
                        continue;
                    }
                }
                if (kept < i) Row(block, dimension, i).CopyTo(block.AsSpan(kept * dimension, dimension));
                own[kept++] = x;
            }
            if (kept == i) return;                                       // none moved: nothing of pick k changed
            Array.Copy(own, i, own, kept, n - i);
            Array.Copy(block, (long)i * dimension, block, (long)kept * dimension, (long)(n - i) * dimension);
            n = memberCount[k] = kept + n - i;
            if (n < own.Length / 4)                                      // give back what the points that left held
                (members[k], memberPoints[k]) = (own[..n], block[..(n * dimension)]);
            (bound[k], farthest[k]) = Summary(members[k], n, distance, anchorDistance);
        }
    }

    /// <summary>A relative slack on the pruning tests, so that float rounding never skips a point that comes closer.</summary>
    private const float Margin = 1 + 1e-5f;

    private static void Anchor(int x, float d, List<int> anchored, float[] distance, float[] anchorDistance)
    {
        anchorDistance[x] = d;
        if (d < distance[x]) distance[x] = d;
        anchored.Add(x);
    }

    private static (float Bound, int Farthest) Summary(int[] points, int count, float[] distance, float[] anchorDistance)
    {
        float bound = 0;
        int farthest = -1;
        for (int i = 0; i < count; i++)
        {
            int x = points[i];
            bound = Math.Max(bound, anchorDistance[x] + distance[x]);
            if (Farther(distance, x, farthest)) farthest = x;
        }
        return (bound, farthest);
    }

    /// <summary>Of the points (−1 for none), the one with the largest distance.</summary>
    private static int Farthest(float[] distance, IEnumerable<int> points)
    {
        int best = -1;
        foreach (int x in points)
            if (x >= 0 && Farther(distance, x, best)) best = x;
        return best;
    }

    /// <summary>Whether x is farther than <paramref name="best"/> (−1: none yet); of equals, the lower index wins, as
    /// argmax in numpy and torch.</summary>
    private static bool Farther(float[] distance, int x, int best) =>
        best < 0 || distance[x] > distance[best] || (distance[x] == distance[best] && x < best);

    private static ReadOnlySpan<float> Row(float[] rows, int dimension, int index) => rows.AsSpan(index * dimension, dimension);

    private static float Distance(ReadOnlySpan<float> x, ReadOnlySpan<float> y)
    {
        int dimension = x.Length;
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
