namespace UniAD.Core.Statistics;

/// <summary>The standard normal distribution's upper tail, to about 1e-14 relative (for the approximate p-values).</summary>
public static class Normal
{
    /// <summary>P(Z ≥ z) = erfc(z/√2)/2.</summary>
    public static double UpperTail(double z) => 0.5 * Erfc(z / Math.Sqrt(2));

    /// <summary>erfc by its Taylor series of erf below 2.5 (where the series loses no more than a few digits), and by
    /// its continued fraction above (where it converges in a few dozen terms).</summary>
    public static double Erfc(double x)
    {
        if (x < 0) return 2 - Erfc(-x);
        if (x < 2.5)
        {
            // erf(x) = 2/√π Σ (−1)^k x^(2k+1) / (k! (2k+1))
            double sum = 0, power = x;
            for (int k = 0; k < 200; k++)
            {
                double term = power / (2 * k + 1);
                sum += term;
                if (Math.Abs(term) < 1e-17 * Math.Abs(sum)) break;
                power *= -x * x / (k + 1);
            }
            return 1 - 2 / Math.Sqrt(Math.PI) * sum;
        }
        // erfc(x) = exp(−x²)/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + 2/(x + …))))), evaluated by the modified Lentz method.
        const double tiny = 1e-300;
        double f = x, c = x, d = 0;
        for (int k = 1; k < 500; k++)
        {
            double a = k / 2.0;
            d = x + a * d;
            d = Math.Abs(d) < tiny ? tiny : d;
            c = x + a / c;
            c = Math.Abs(c) < tiny ? tiny : c;
            d = 1 / d;
            double delta = c * d;
            f *= delta;
            if (Math.Abs(delta - 1) < 1e-16) break;
        }
        return Math.Exp(-x * x) / Math.Sqrt(Math.PI) / f;
    }
}
