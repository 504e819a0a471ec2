using System.Globalization;
using UniAD.Core.Configuration;
using UniAD.Core.Data;
using UniAD.Core.Evaluation;
using UniAD.Core.Features;

namespace UniAD.Core.Training;

/// <summary>A run's folder and the files in it: the one place their names live, for training, the official import,
/// <c>uniad eval</c>, the lab's job and its pages. Every run written so far has these names, so none may change.</summary>
public sealed class RunFolder(string folder)
{
    public const string ConfigFile = "config.json", DatasetFile = "dataset.txt", CheckpointFile = "checkpoint.uniad",
        HistoryFile = "history.csv", ResultsJsonFile = "results.json", ResultsCsvFile = "results.csv",
        DefectTypesFile = "defect_types.csv", EvaluationsFile = "evaluations.csv", AnomalyMapsFile = "anomaly_maps.npz",
        LogFile = "run.log", ProvenanceFile = "imported.json", BackboneFile = "backbone-efficientnet-b4.safetensors",
        FeatureCacheFolder = "feature-cache", OfficialSourcesFolder = "official";

    /// <summary>The files a user may download from a run, in the order they are offered.</summary>
    public static readonly IReadOnlyList<string> Downloads =
        [CheckpointFile, ResultsCsvFile, ResultsJsonFile, DefectTypesFile, AnomalyMapsFile, HistoryFile, EvaluationsFile, ConfigFile, LogFile];

    public string Folder { get; } = folder;

    /// <summary>The config the run trained with.</summary>
    public string Config => PathOf(ConfigFile);
    /// <summary>What the run trained on: the dataset's root, version, categories and image counts.</summary>
    public string Dataset => PathOf(DatasetFile);
    public string Checkpoint => PathOf(CheckpointFile);
    /// <summary>Loss, learning rate and time of each epoch.</summary>
    public string History => PathOf(HistoryFile);
    /// <summary>The final test-set report, all of it (<see cref="ReadResults"/>).</summary>
    public string ResultsJson => PathOf(ResultsJsonFile);
    /// <summary>The final test-set metrics, one row per category plus the mean.</summary>
    public string ResultsCsv => PathOf(ResultsCsvFile);
    public string DefectTypes => PathOf(DefectTypesFile);
    /// <summary>Every test-set evaluation of the run: during training and after the last epoch.</summary>
    public string Evaluations => PathOf(EvaluationsFile);
    /// <summary>The anomaly map of each test image, by its key.</summary>
    public string AnomalyMaps => PathOf(AnomalyMapsFile);
    /// <summary>What the lab's job did, line by line (<see cref="AppendLog"/>).</summary>
    public string Log => PathOf(LogFile);
    /// <summary>Where an imported run came from.</summary>
    public string Provenance => PathOf(ProvenanceFile);
    /// <summary>An imported run's EfficientNet-B4 weights, taken from the official checkpoint.</summary>
    public string Backbone => PathOf(BackboneFile);
    /// <summary>Where the lab keeps the official files a run was imported from.</summary>
    public string OfficialSources => PathOf(OfficialSourcesFolder);

    public string PathOf(string fileName) => Path.Combine(Folder, fileName);

    public bool Has(string fileName) => File.Exists(PathOf(fileName));

    /// <summary>The cache the run's features go to: <paramref name="sharedFolder"/>, shared across runs, when given, else one
    /// inside the run. Every front end leaves the default to this.</summary>
    public FeatureCache FeatureCache(string? sharedFolder) => new(sharedFolder ?? PathOf(FeatureCacheFolder));

    /// <summary>The run's config and what it trained on.</summary>
    public void WriteRunFiles(UniadConfig config, AnomalyDataset dataset)
    {
        File.WriteAllText(Config, config.ToJson());
        File.WriteAllLines(Dataset, [$"root: {dataset.Root}", $"version: {dataset.Version ?? "(a plain folder, not a stored version)"}",
            $"categories: {string.Join(", ", dataset.Categories)}", $"images: {dataset.Train.Count} train, {dataset.Test.Count} test"]);
    }

    public void WriteHistory(IEnumerable<EpochSummary> history) =>
        File.WriteAllLines(History, history.Select(h => string.Create(CultureInfo.InvariantCulture,
            $"{h.Epoch},{h.MeanLoss:R},{h.LearningRate:R},{h.Seconds:F3}")).Prepend("epoch,loss,lr,seconds"));

    public void WriteEvaluations(IEnumerable<TestEvaluation> evaluations) => ReportFiles.WriteEvaluationsCsv(Evaluations, evaluations);

    /// <summary>The final report as JSON (everything), as CSV, and by defect type where it has them.</summary>
    public void WriteResults(EvaluationReport report)
    {
        ReportFiles.WriteJson(ResultsJson, report);
        ReportFiles.WriteCsv(ResultsCsv, report);
        ReportFiles.WriteDefectTypesCsv(DefectTypes, report);
    }

    /// <summary>The final report, or null while the run has none.</summary>
    public EvaluationReport? ReadResults() => File.Exists(ResultsJson) ? ReportFiles.ReadJson(ResultsJson) : null;

    public void AppendLog(string line)
    {
        Directory.CreateDirectory(Folder);
        File.AppendAllText(Log, $"{DateTime.UtcNow.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)}  {line}{Environment.NewLine}");
    }

    /// <summary>The last <paramref name="count"/> lines of the log (none when the run has not started), read while the
    /// job may be appending.</summary>
    public IReadOnlyList<string> TailLog(int count)
    {
        if (!File.Exists(Log)) return [];
        using var reader = new StreamReader(new FileStream(Log, FileMode.Open, FileAccess.Read, FileShare.ReadWrite));
        var tail = new Queue<string>(count);
        for (string? line; (line = reader.ReadLine()) is not null;)
        {
            if (tail.Count == count) tail.Dequeue();
            tail.Enqueue(line);
        }
        return [.. tail];
    }

    public override string ToString() => Folder;
}
