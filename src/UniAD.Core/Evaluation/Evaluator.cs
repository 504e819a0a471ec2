using UniAD.Core.Configuration;
using UniAD.Core.Data;
using UniAD.Core.Model;
using static TorchSharp.torch;

namespace UniAD.Core.Evaluation;

/// <summary>Computes UniAD's anomaly maps for the test set and scores them per category: image AUROC, AP
/// and F1-max from the image score; pixel AUROC, AP, F1-max and AUPRO over all pixels of the category at
/// the input resolution (docs/model.md section 5). Metrics are computed from feature-resolution maps, so
/// they can be recomputed later from the saved maps with another image score.</summary>
public static class Evaluator
{
    /// <summary>N×1×h×w feature-resolution anomaly maps of the test features (CPU, float32).</summary>
    public static Tensor AnomalyMaps(UniadModel model, Tensor testFeatures, int batchSize, Device device)
    {
        model.eval();
        using var _ = no_grad();
        var maps = new List<Tensor>();
        for (long start = 0; start < testFeatures.shape[0]; start += batchSize)
        {
            using var scope = NewDisposeScope();
            var batch = testFeatures.narrow(0, start, Math.Min(batchSize, testFeatures.shape[0] - start)).to(float32).to(device);
            maps.Add(model.forward(batch).AnomalyMap.cpu().MoveToOuterDisposeScope());
        }
        var all = cat(maps, 0);
        foreach (var m in maps) m.Dispose();
        return all;
    }

    /// <param name="maps">N×1×h×w feature-resolution maps, in <paramref name="samples"/> order.</param>
    /// <param name="full">False skips the slow parts, AUPRO and the per-defect-type metrics (evaluations during training).</param>
    /// <param name="imageScores">Each image's score and the rule it was computed by, where the method scores images
    /// otherwise than from the map (PatchCore); null computes <paramref name="config"/>'s score from the maps.</param>
    public static EvaluationReport Score(Tensor maps, IReadOnlyList<AnomalySample> samples, EvaluationConfig config,
        int inputHeight, int inputWidth, bool full = true, (float[] Scores, string Rule)? imageScores = null)
    {
        if (maps.shape[0] != samples.Count || imageScores is var (scores, _) && scores.Length != samples.Count)
            throw new ArgumentException($"{maps.shape[0]} anomaly maps ({imageScores?.Scores.Length ?? maps.shape[0]} image scores) for {samples.Count} test images");
        var warnings = new List<string>();
        var rows = new List<CategoryMetrics>();
        var defectTypes = new List<DefectTypeMetrics>();
        foreach (var category in samples.Select(s => s.Category).Distinct().Order(StringComparer.Ordinal))
        {
            var indices = Enumerable.Range(0, samples.Count).Where(i => samples[i].Category == category).ToArray();
            var categorySamples = indices.Select(i => samples[i]).ToList();
            int anomalous = categorySamples.Count(s => s.IsAnomalous);
            if (anomalous == 0 || anomalous == categorySamples.Count)
            {
                warnings.Add($"category '{category}': the test set has {(anomalous == 0 ? "no anomalous" : "no normal")} images; no metric is defined");
                continue;
            }
            using var scope = NewDisposeScope();
            using var index = tensor(indices.Select(i => (long)i).ToArray());
            var upsampled = UniadModel.UpsampleMap(maps.index_select(0, index), inputHeight, inputWidth); // n×1×H×W
            var categoryScores = imageScores is var (given, _) ? indices.Select(i => given[i]).ToArray()
                : ImageScore.Compute(upsampled, config.ImageScore, config.AvgPoolKernel).data<float>().ToArray();
            var image = new ScoreRanking(categoryScores, categorySamples.Select(s => s.IsAnomalous).ToArray());

            double? pixelAuroc = null, pixelAp = null, pixelF1 = null, aupro = null;
            List<float[]>? pixelMaps = null;
            List<bool[]>? masks = null;
            if (config.PixelMetrics)
            {
                pixelMaps = Enumerable.Range(0, indices.Length).Select(i => upsampled[i].flatten().data<float>().ToArray()).ToList();
                masks = categorySamples.Select(s => GroundTruth(s, inputHeight, inputWidth)).ToList();
                var pixels = new ScoreRanking(pixelMaps.SelectMany(m => m).ToArray(), masks.SelectMany(m => m).ToArray());
                (pixelAuroc, pixelAp, pixelF1) = (pixels.Auroc, pixels.AveragePrecision, pixels.F1Max.F1);
                if (full) aupro = Aupro.Compute(pixelMaps, masks, inputHeight, inputWidth, config.AuproMaxFpr);
            }
            if (full) defectTypes.AddRange(ByDefectType(category, categorySamples, categoryScores, pixelMaps, masks));
            var row = new CategoryMetrics(category, categorySamples.Count, anomalous, image.Auroc, image.AveragePrecision,
                image.F1Max.F1, pixelAuroc, pixelAp, pixelF1, aupro);
            if (row.ImageAuroc < 0.5) warnings.Add($"category '{category}': image AUROC {row.ImageAuroc:F4} is below 0.5 (reported raw, not flipped)");
            if (row.PixelAuroc < 0.5) warnings.Add($"category '{category}': pixel AUROC {row.PixelAuroc:F4} is below 0.5 (reported raw, not flipped)");
            rows.Add(row);
        }
        return new EvaluationReport(imageScores?.Rule ?? ImageScore.Describe(config.ImageScore, config.AvgPoolKernel), rows, MeanOf(rows), warnings)
        {
            DefectTypes = full ? defectTypes : null,
        };
    }

    /// <summary>Each defect type's images against the category's normal test images: which kinds of defect a model
    /// finds and which it misses (a category's mean hides that).</summary>
    private static IEnumerable<DefectTypeMetrics> ByDefectType(string category, IReadOnlyList<AnomalySample> samples, float[] imageScores,
        IReadOnlyList<float[]>? pixelMaps, IReadOnlyList<bool[]>? masks)
    {
        foreach (var type in samples.Where(s => s.IsAnomalous).Select(s => s.DefectType).Distinct().Order(StringComparer.Ordinal))
        {
            var chosen = Enumerable.Range(0, samples.Count).Where(i => !samples[i].IsAnomalous || samples[i].DefectType == type).ToArray();
            var image = new ScoreRanking(chosen.Select(i => imageScores[i]).ToArray(), chosen.Select(i => samples[i].IsAnomalous).ToArray());
            double? pixel = pixelMaps is not null && chosen.Any(i => masks![i].Contains(true))   // masks may all be empty
                ? new ScoreRanking(chosen.SelectMany(i => pixelMaps[i]).ToArray(), chosen.SelectMany(i => masks![i]).ToArray()).Auroc
                : null;
            yield return new DefectTypeMetrics(category, type, chosen.Count(i => samples[i].IsAnomalous), image.Auroc, pixel);
        }
    }

    /// <summary>Pixel ground truth at the input size: the mask where there is one, otherwise every pixel of an
    /// anomalous image is anomalous and every pixel of a normal one is normal (as the official loader).</summary>
    private static bool[] GroundTruth(AnomalySample sample, int height, int width)
    {
        if (sample.MaskPath is null) return Enumerable.Repeat(sample.IsAnomalous, height * width).ToArray();
        using var mask = ImageLoader.LoadMask(sample.MaskPath, height, width);
        return mask.flatten().data<bool>().ToArray();
    }

    private static CategoryMetrics MeanOf(IReadOnlyList<CategoryMetrics> rows)
    {
        double Mean(Func<CategoryMetrics, double> f) => rows.Count == 0 ? double.NaN : rows.Average(f);
        double? MeanOrNull(Func<CategoryMetrics, double?> f) => rows.All(r => f(r) is not null) && rows.Count > 0 ? rows.Average(r => f(r)!.Value) : null;
        return new CategoryMetrics("mean", rows.Sum(r => r.TestImages), rows.Sum(r => r.AnomalousImages),
            Mean(r => r.ImageAuroc), Mean(r => r.ImageAp), Mean(r => r.ImageF1Max),
            MeanOrNull(r => r.PixelAuroc), MeanOrNull(r => r.PixelAp), MeanOrNull(r => r.PixelF1Max), MeanOrNull(r => r.Aupro));
    }
}
