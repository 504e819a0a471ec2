namespace UniAD.Core.Evaluation;

/// <summary>Threshold-free metrics of anomaly scores against binary labels (true = anomalous), from one
/// descending sort. Samples with equal scores form one threshold, so ties are counted as halves in the
/// AUROC and never split in the curves; all values match scikit-learn's definitions.</summary>
public sealed class ScoreRanking
{
    // One entry per distinct score, highest first: how many anomalous / normal samples score at least it.
    private readonly float[] _thresholds;
    private readonly int[] _truePositives;
    private readonly int[] _falsePositives;
    private readonly int _positives;
    private readonly int _negatives;

    /// <exception cref="ArgumentException">Lengths differ, a score is NaN, or only one class is present
    /// (every metric here compares the two classes, so none is defined then).</exception>
    public ScoreRanking(ReadOnlySpan<float> scores, ReadOnlySpan<bool> labels)
    {
        if (scores.Length != labels.Length)
            throw new ArgumentException($"Got {scores.Length} scores but {labels.Length} labels.", nameof(labels));

        foreach (var anomalous in labels)
            if (anomalous) _positives++;
        _negatives = labels.Length - _positives;
        if (_positives == 0 || _negatives == 0)
            throw new ArgumentException(
                $"Metrics need both classes, but got {_positives} anomalous and {_negatives} normal samples.",
                nameof(labels));
        foreach (var score in scores)
            if (float.IsNaN(score)) throw new ArgumentException("Scores contain NaN.", nameof(scores));

        // Sorted copies: Array.Sort on a primitive key with a parallel item array is far faster than an
        // index sort with a comparer, which matters at millions of pixels.
        var keys = scores.ToArray();
        var isAnomalous = labels.ToArray();
        Array.Sort(keys, isAnomalous);

        int distinct = 1;
        for (int i = 1; i < keys.Length; i++)
            if (keys[i] != keys[i - 1]) distinct++;
        _thresholds = new float[distinct];
        _truePositives = new int[distinct];
        _falsePositives = new int[distinct];

        // Walk from the highest score down; a threshold is complete at the last sample of its tie run.
        int tp = 0, fp = 0, t = 0;
        for (int i = keys.Length - 1; i >= 0; i--)
        {
            if (isAnomalous[i]) tp++; else fp++;
            if (i > 0 && keys[i - 1] == keys[i]) continue;
            _thresholds[t] = keys[i];
            _truePositives[t] = tp;
            _falsePositives[t] = fp;
            t++;
        }

        Auroc = ComputeAuroc();
        AveragePrecision = ComputeAveragePrecision();
        F1Max = ComputeF1Max();
    }

    /// <summary>Area under the ROC curve, as sklearn's <c>roc_auc_score</c>. Reported raw: a value below
    /// 0.5 means the scores rank normal samples higher, which flipping would hide.</summary>
    public double Auroc { get; }

    /// <summary>Sum over thresholds of (R_n − R_{n−1})·P_n without interpolation, as sklearn's
    /// <c>average_precision_score</c>.</summary>
    public double AveragePrecision { get; }

    /// <summary>Best F1 = 2PR/(P+R) over all thresholds (predict anomalous when score ≥ threshold), and the
    /// highest threshold that reaches it.</summary>
    public (double F1, float Threshold) F1Max { get; }

    /// <summary>The ROC curve from (0, 0) at threshold +∞ to (1, 1), thinned to at most
    /// <paramref name="maxPoints"/> evenly spaced points (first and last kept) so charts stay small.</summary>
    public RocPoints RocCurve(int maxPoints)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxPoints, 2);
        int total = _thresholds.Length + 1; // + the origin
        int count = Math.Min(maxPoints, total);
        var fpr = new double[count];
        var tpr = new double[count];
        var thresholds = new float[count];
        for (int k = 0; k < count; k++)
        {
            int point = (int)Math.Round(k * (total - 1.0) / (count - 1));
            if (point == 0)
            {
                thresholds[k] = float.PositiveInfinity;
                continue;
            }
            fpr[k] = (double)_falsePositives[point - 1] / _negatives;
            tpr[k] = (double)_truePositives[point - 1] / _positives;
            thresholds[k] = _thresholds[point - 1];
        }
        return new RocPoints(fpr, tpr, thresholds);
    }

    private double ComputeAuroc()
    {
        // Trapezoids in integer counts: each step adds ΔFP·(TP_prev + TP), i.e. twice its area in
        // count units, so the sum is exact and only the final division rounds.
        long doubledArea = 0;
        int previousTp = 0, previousFp = 0;
        for (int t = 0; t < _thresholds.Length; t++)
        {
            doubledArea += (long)(_falsePositives[t] - previousFp) * ((long)previousTp + _truePositives[t]);
            previousTp = _truePositives[t];
            previousFp = _falsePositives[t];
        }
        return doubledArea / (2.0 * _positives * _negatives);
    }

    private double ComputeAveragePrecision()
    {
        double sum = 0;
        int previousTp = 0;
        for (int t = 0; t < _thresholds.Length; t++)
        {
            int tp = _truePositives[t];
            sum += (double)(tp - previousTp) * tp / (tp + _falsePositives[t]);
            previousTp = tp;
        }
        return sum / _positives;
    }

    private (double, float) ComputeF1Max()
    {
        double best = 0;
        float bestThreshold = _thresholds[0];
        for (int t = 0; t < _thresholds.Length; t++)
        {
            // 2PR/(P+R) with P = TP/(TP+FP), R = TP/positives simplifies to 2TP/(TP+FP+positives).
            double f1 = 2.0 * _truePositives[t] / ((double)_truePositives[t] + _falsePositives[t] + _positives);
            if (f1 > best) (best, bestThreshold) = (f1, _thresholds[t]);
        }
        return (best, bestThreshold);
    }
}
