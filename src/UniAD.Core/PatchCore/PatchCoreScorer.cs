using UniAD.Core.Configuration;
using static TorchSharp.torch;

namespace UniAD.Core.PatchCore;

/// <summary>Test images against a memory bank (Roth et al. 2022, section 3.3): each patch's distance to its nearest bank
/// patch, the anomaly map from those distances, and both image scores, so that either can be reported and the other
/// recomputed later without the bank.</summary>
public sealed class PatchCoreScorer : IDisposable
{
    private readonly Tensor _bank;                     // M×D float32 on the device: the bank's own tensor on the CPU
    private readonly bool _copied;
    private readonly NearestNeighbours _search;
    private readonly PatchcoreConfig _config;
    private readonly (int Height, int Width) _input;
    private readonly Device _device;

    /// <summary>The anomaly maps (N×1×H×W at the input size, CPU) and both image scores of each image.</summary>
    public sealed record Scores(Tensor Maps, float[] Maximum, float[] Reweighted) : IDisposable
    {
        public float[] Of(PatchImageScore kind) => kind == PatchImageScore.Reweighted ? Reweighted : Maximum;
        public void Dispose() => Maps.Dispose();
    }

    /// <exception cref="ConfigException">The bank does not fit <see cref="PatchcoreConfig.MemoryBudgetMb"/>.</exception>
    public PatchCoreScorer(MemoryBank bank, Device device)
    {
        (_config, _input, _device) = (bank.Config.Patchcore, (bank.Config.Backbone.InputSize[0], bank.Config.Backbone.InputSize[1]), device);
        _copied = bank.Patches.device.type != device.type || bank.Patches.device.index != device.index;
        _bank = _copied ? bank.Patches.to(device) : bank.Patches;
        _search = new NearestNeighbours(_bank, (long)_config.MemoryBudgetMb << 20);
    }

    /// <param name="features">N×D×h×w patch features (any float dtype, CPU).</param>
    /// <param name="scored">Told how many images are scored so far.</param>
    public Scores Score(Tensor features, int batchSize, IProgress<int>? scored = null, CancellationToken cancel = default)
    {
        long count = features.shape[0], height = features.shape[2], width = features.shape[3];
        var (maps, maximum, reweighted) = (new List<Tensor>(), new List<float>(), new List<float>());
        for (long start = 0; start < count; start += batchSize)
        {
            cancel.ThrowIfCancellationRequested();
            using var scope = NewDisposeScope();
            long n = Math.Min(batchSize, count - start);
            var patches = features.narrow(0, start, n).to(float32).to(_device).flatten(2).transpose(1, 2).contiguous();   // n×P×D
            var (distances, indices) = _search.Search(patches.reshape(-1, patches.shape[2]), 1);                          // (n·P)×1
            var (patchScores, nearest) = (distances.reshape(n, -1), indices.reshape(n, -1));                             // n×P
            maps.Add(PatchScores.Maps(patchScores.reshape(n, height, width), _input.Height, _input.Width, _config.Sigma).cpu().MoveToOuterDisposeScope());
            maximum.AddRange(PatchScores.Maximum(patchScores).cpu().data<float>());
            reweighted.AddRange(PatchScores.Reweighted(patchScores, nearest, patches, _bank, _search, _config.ReweightNeighbours).cpu().data<float>());
            scored?.Report((int)(start + n));
        }
        var all = cat(maps, 0);
        foreach (var map in maps) map.Dispose();
        return new Scores(all, [.. maximum], [.. reweighted]);
    }

    /// <summary>The image score's rule, as reports name it.</summary>
    public static string Describe(PatchcoreConfig config) => config.ImageScore == PatchImageScore.Reweighted
        ? $"largest patch score reweighted by its {config.ReweightNeighbours} nearest bank patches (PatchCore paper, eq. 7)"
        : "largest patch score (PatchCore, official code)";

    public void Dispose()
    {
        if (_copied) _bank.Dispose();
    }
}
