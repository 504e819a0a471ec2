namespace UniAD.Core.Statistics;

/// <summary>Mean and sample standard deviation (divisor n − 1, numpy's <c>std(ddof=1)</c>) of repeated measurements,
/// e.g. one metric over the seeds of a config. The standard deviation needs two values; with one it is null.</summary>
public sealed record Summary(int Count, double Mean, double? Std)
{
    /// <returns>Null for no values.</returns>
    public static Summary? Of(IEnumerable<double> values)
    {
        var v = values.ToList();
        if (v.Count == 0) return null;
        double mean = v.Average();
        return new Summary(v.Count, mean, v.Count > 1 ? Math.Sqrt(v.Sum(x => (x - mean) * (x - mean)) / (v.Count - 1)) : null);
    }
}
