namespace UniAD.Tests;

/// <summary>Floating-point comparisons with an explicit tolerance. Rounding both sides to N decimal places is not a
/// tolerance: two values a hair apart on either side of a rounding boundary fail it. Exact equality is kept only
/// where bit-identity is the claim (the same seed and data on the same device give the same numbers).</summary>
public static class Close
{
    /// <summary>Each pair differs by at most <paramref name="tolerance"/> (absolute) or is NaN on both sides, and the
    /// sequences have the same length.</summary>
    public static void Equal(IEnumerable<double> expected, IEnumerable<double> actual, double tolerance)
    {
        var (e, a) = (expected.ToList(), actual.ToList());
        Assert.Equal(e.Count, a.Count);
        for (int i = 0; i < e.Count; i++)
            if (!(double.IsNaN(e[i]) && double.IsNaN(a[i])))                       // both missing
                Assert.True(Math.Abs(e[i] - a[i]) <= tolerance, $"element {i}: expected {e[i]:R}, got {a[i]:R} (tolerance {tolerance:G3})");
    }

    public static void Equal(IEnumerable<object> expected, IEnumerable<object> actual, double tolerance) =>
        Equal(expected.Select(Convert.ToDouble), actual.Select(Convert.ToDouble), tolerance);
}
