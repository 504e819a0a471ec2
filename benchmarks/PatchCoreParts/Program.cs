using System.Diagnostics;
using UniAD.Core.Backbones;
using UniAD.Core.Configuration;
using UniAD.Core.Data;
using UniAD.Core.PatchCore;
using static TorchSharp.torch;

// PatchCore's steps at the paper's settings (layers 2 and 3, 3×3 neighbourhoods, 1024 dimensions, 224 input, a 128-d
// projection and 10 starting points for the coreset) on the training and test images of an MVTec-layout folder.
// Usage: PatchCoreParts DATASET [coreset-fraction=0.1] [plain-greedy-picks=300]
string root = args[0];
double fraction = args.Length > 1 ? double.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 0.1;
int plainPicks = args.Length > 2 ? int.Parse(args[2]) : 300;
var dataset = MvtecLayout.Read(root);
Console.WriteLine($"{dataset.Train.Count} training and {dataset.Test.Count} test images, {dataset.Categories.Count} categories; torch threads {get_num_threads()}");

using var backbone = BackboneFactory.Create(new BackboneConfig { OutLayers = [2, 3] });
Tensor Features(IReadOnlyList<AnomalySample> samples)
{
    var batches = new List<Tensor>();
    using var _ = no_grad();
    for (int start = 0; start < samples.Count; start += 16)
    {
        using var scope = NewDisposeScope();
        var images = stack(samples.Skip(start).Take(16).Select(s => ImageLoader.LoadRgb(s.ImagePath, 224, 224)));
        batches.Add(PatchEmbedding.Compute(backbone.forward(images), 3, 1024, 1024).reshape(-1, 1024).MoveToOuterDisposeScope());
    }
    return cat(batches, 0);
}

var clock = Stopwatch.StartNew();
using var train = Features(dataset.Train);
Console.WriteLine($"training patch features: {train.shape[0]:N0} × {train.shape[1]} in {clock.Elapsed.TotalSeconds:F1} s");
clock.Restart();
using var test = Features(dataset.Test);
Console.WriteLine($"test patch features: {test.shape[0]:N0} in {clock.Elapsed.TotalSeconds:F1} s");

// The coreset: the pruned greedy in full, and both it and the plain greedy (every distance) for the first picks.
clock.Restart();
var picks = GreedyCoreset.Select(train, fraction, 128, 10, seed: 0).Picks;
Console.WriteLine($"coreset {fraction:P0}: {picks.Length:N0} picks in {clock.Elapsed.TotalSeconds:F1} s (pruned greedy, projection included)");
using (var generator = new Generator(1))
using (var projected = train.matmul(rand([1024, 128], generator: generator).mul_(2 / 32.0).sub_(1 / 32.0)).contiguous())
{
    var points = projected.data<float>().ToArray();
    int[] starts = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
    clock.Restart();
    var pruned = GreedyCoreset.Pick(points, 128, plainPicks, starts);
    double prunedSeconds = clock.Elapsed.TotalSeconds;
    clock.Restart();
    var plain = PlainGreedy(projected, starts, plainPicks);
    double plainSeconds = clock.Elapsed.TotalSeconds;
    Console.WriteLine($"first {plainPicks} picks: pruned {prunedSeconds:F2} s, plain {plainSeconds:F2} s ({plainSeconds / prunedSeconds:F1}×), same picks: {pruned.SequenceEqual(plain)}");
}

// Scoring: every test patch's nearest bank patch, against the matrix product of the same size in the same blocks.
using var bank = train.index_select(0, tensor(picks.Select(p => (long)p).ToArray()));
var search = new NearestNeighbours(bank, 2048L << 20);
clock.Restart();
var (distances, _) = search.Search(test, 1);
double searchSeconds = clock.Elapsed.TotalSeconds;
long block = (2048L << 20) / (8 * bank.shape[0]);
clock.Restart();
for (long start = 0; start < test.shape[0]; start += block)
{
    using var product = test.narrow(0, start, Math.Min(block, test.shape[0] - start)).matmul(bank.t());
}
double gemmSeconds = clock.Elapsed.TotalSeconds;
Console.WriteLine($"nearest neighbours of {test.shape[0]:N0} test patches in a bank of {bank.shape[0]:N0}: {searchSeconds:F1} s; " +
    $"the matrix product alone {gemmSeconds:F1} s ({searchSeconds / gemmSeconds:F2}×); mean distance {distances.mean().item<float>():F3}");

// Every point's distance to every new pick, as the official code measures them (one matrix-vector pass each).
static List<int> PlainGreedy(Tensor points, int[] starts, int count)
{
    Tensor DistancesTo(long p) => points.sub(points[p]).pow_(2).sum(1).sqrt_();
    var nearest = stack(starts.Select(s => DistancesTo(s)).ToArray()).mean([0]);
    var picked = new List<int>();
    for (int t = 0; t < count; t++)
    {
        using var scope = NewDisposeScope();
        int p = (int)nearest.argmax().item<long>();
        picked.Add(p);
        var closer = minimum(nearest, DistancesTo(p)).MoveToOuterDisposeScope();
        nearest.Dispose();
        nearest = closer;
    }
    return picked;
}
