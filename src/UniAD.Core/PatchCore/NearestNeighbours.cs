using static TorchSharp.torch;

namespace UniAD.Core.PatchCore;

/// <summary>Exact Euclidean nearest neighbours of query patches in a memory bank, as the official code's flat L2 index
/// computes them (‖q‖² − 2 q·m + ‖m‖², float32), a block of queries at a time so that a block's distances to the whole
/// bank stay within a memory budget.</summary>
public sealed class NearestNeighbours
{
    private readonly Tensor _bank;                 // M×D
    private readonly Tensor _bankSquares;          // 1×M, ‖m‖²
    private readonly long _blockRows;

    /// <param name="bank">M×D, float32, on the device the search runs on.</param>
    /// <param name="budgetBytes">What the bank and one block's distances may take together.</param>
    /// <exception cref="ConfigException">The bank alone does not leave room for one query's distances.</exception>
    public NearestNeighbours(Tensor bank, long budgetBytes)
    {
        _blockRows = BlockRows(bank.shape[0], bank.shape[1], budgetBytes);
        _bank = bank;
        _bankSquares = bank.square().sum(1).unsqueeze(0);
    }

    /// <summary>How many queries a block of the search holds when the bank and the block's distances share the budget:
    /// a block's distance matrix, and as much again for the temporaries of the expansion. A run checks this before it
    /// extracts any feature.</summary>
    /// <exception cref="ConfigException">Not one: the bank alone leaves no room; the message gives the numbers.</exception>
    public static long BlockRows(long patches, long dimension, long budgetBytes)
    {
        long bankBytes = patches * dimension * 4, perQuery = 2 * 4 * patches;
        long rows = (budgetBytes - bankBytes) / perQuery;
        return rows >= 1 ? rows
            : throw new ConfigException($"a memory bank of {patches:N0} patches × {dimension} dimensions takes {bankBytes / 1e6:N0} MB, " +
                $"and its search needs {perQuery / 1e6:N1} MB more, over the {budgetBytes / 1e6:N0} MB budget (patchcore.memory_budget_mb); " +
                "raise the budget or lower patchcore.coreset_fraction");
    }

    /// <summary>The <paramref name="k"/> nearest bank patches of each query, nearest first.</summary>
    /// <param name="queries">Q×D.</param>
    /// <returns>Q×k distances and Q×k bank indices.</returns>
    public (Tensor Distances, Tensor Indices) Search(Tensor queries, int k)
    {
        if (k > _bank.shape[0]) throw new ArgumentOutOfRangeException(nameof(k), k, $"the bank holds {_bank.shape[0]} patches");
        var distances = new List<Tensor>();
        var indices = new List<Tensor>();
        for (long start = 0; start < queries.shape[0]; start += _blockRows)
        {
            using var scope = NewDisposeScope();
            var block = queries.narrow(0, start, Math.Min(_blockRows, queries.shape[0] - start)).to(float32);   // q×D
            var squared = block.matmul(_bank.t()).mul_(-2).add_(block.square().sum(1, keepdim: true)).add_(_bankSquares);  // q×M
            var (nearest, index) = k == 1 ? squared.min(1, keepdim: true) : squared.topk(k, dim: 1, largest: false, sorted: true);
            distances.Add(nearest.clamp_min_(0).sqrt_().MoveToOuterDisposeScope());
            indices.Add(index.MoveToOuterDisposeScope());
        }
        return (Concatenate(distances), Concatenate(indices));
    }

    private static Tensor Concatenate(List<Tensor> blocks)
    {
        var all = cat(blocks, 0);
        foreach (var block in blocks) block.Dispose();
        return all;
    }
}
