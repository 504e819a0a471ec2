using UniAD.Core.Configuration;
using UniAD.Core.Data;
using UniAD.Core.Evaluation;
using UniAD.Core.Features;
using UniAD.Core.Model;
using static TorchSharp.torch;

namespace UniAD.Core.Training;

/// <summary>A model judged on a dataset's test images, the one way training (every few epochs and after the last), the
/// official import and <c>uniad eval</c> all judge it: the test features extracted once (or read from the cache), the
/// anomaly maps, their metrics, and the model's identity pass-through on the normal images.</summary>
public sealed class TestSetEvaluation : IDisposable
{
    private readonly Tensor _features;                 // N×C×H×W aligned features of the test images, in their order
    private readonly IReadOnlyList<AnomalySample> _test;
    private readonly UniadConfig _config;
    private readonly RunFolder _output;
    private readonly Device _device;

    /// <summary>Reads the test features from <paramref name="cache"/>, extracting them first when they are not there.</summary>
    /// <param name="output">Where <see cref="EvaluateAndSave"/> writes the maps and the report.</param>
    public TestSetEvaluation(FeatureExtractor extractor, FeatureCache cache, AnomalyDataset dataset, UniadConfig config, RunFolder output,
        Device device, ExperimentHooks hooks, CancellationToken cancel)
    {
        (_test, _config, _output, _device) = (dataset.Test, config, output, device);
        _features = Experiment.CachedFeatures(extractor, cache, _test, "test", config, dataset.Version, hooks, cancel);
    }

    /// <summary>Image and pixel metrics and the pass-through, nothing saved: the check every few epochs of training.</summary>
    public TestEvaluation Check(UniadModel model, int epoch)
    {
        EvaluationReport report;
        using (var maps = Evaluator.AnomalyMaps(model, _features, _config.Training.BatchSize, _device))
            report = Evaluator.Score(maps, _test, _config.Evaluation, InputHeight, InputWidth, full: false);
        return TestEvaluation.Of(epoch, report, PassThrough(model));
    }

    /// <summary>Every metric (AUPRO and the defect types too), saved with the anomaly maps as the run's results.</summary>
    /// <param name="epoch">The epochs the model has trained, which the evaluation is recorded under.</param>
    public (EvaluationReport Report, TestEvaluation Evaluation) EvaluateAndSave(UniadModel model, int epoch)
    {
        EvaluationReport report;
        using (var maps = Evaluator.AnomalyMaps(model, _features, _config.Training.BatchSize, _device))
        {
            AnomalyMapArchive.Save(_output.AnomalyMaps, _test.Select(s => s.Key).ToList(), maps);
            report = Evaluator.Score(maps, _test, _config.Evaluation, InputHeight, InputWidth);
        }
        _output.WriteResults(report);
        return (report, TestEvaluation.Of(epoch, report, PassThrough(model)));
    }

    private int InputHeight => _config.Backbone.InputSize[0];
    private int InputWidth => _config.Backbone.InputSize[1];

    private double? PassThrough(UniadModel model) =>
        ShortcutProbe.OnNormalImages(model, _features, _test, _device, _config.Training.BatchSize);

    public void Dispose() => _features.Dispose();
}
