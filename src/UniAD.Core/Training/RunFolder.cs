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
        FeatureCacheFolder = "feature-cache", OfficialSourcesFolder = "official", MemoryBankFile = "memory_bank.patchcore",
        ImageScoresFile = "image_scores.csv";

    /// <summary>The files a user may download from a run, in the order they are offered (a run has those of its method).</summary>
    public static readonly IReadOnlyList<string> Downloads =
        [CheckpointFile, MemoryBankFile, ResultsCsvFile, ResultsJsonFile, DefectTypesFile, AnomalyMapsFile, ImageScoresFile, HistoryFile,
         EvaluationsFile, ConfigFile, LogFile];

    public string Folder { get; } = folder;

    /// <summary>The config the run trained with.</summary>
    public string Config => PathOf(ConfigFile);
    /// <summary>What the run trained on: the dataset's root, version, categories and image counts.</summary>
    public string Dataset => PathOf(DatasetFile);
    public string Checkpoint => PathOf(CheckpointFile);
    /// <summary>A PatchCore run's memory bank: what it keeps instead of a checkpoint.</summary>
    public string MemoryBank => PathOf(MemoryBankFile);
    /// <summary>A PatchCore run's image scores of each test image, by every rule it has, so that any can be reported.</summary>
    public string ImageScores => PathOf(ImageScoresFile);
    /// <summary>Whether the folder holds what a run goes on from (a checkpoint or a memory bank): a new run may not start here.</summary>
    public bool HoldsRun => Training.Checkpoint.Exists(Checkpoint) || File.Exists(MemoryBank);
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

    /// <summary>Each test image's scores by every rule, in <paramref name="keys"/> order.</summary>
    public void WriteImageScores(IReadOnlyList<string> keys, IReadOnlyList<(string Rule, float[] Scores)> rules) =>
        File.WriteAllLines(ImageScores, keys.Select((key, i) => string.Join(',', rules.Select(r => r.Scores[i].ToString("R", CultureInfo.InvariantCulture)).Prepend(key)))
            .Prepend(string.Join(',', rules.Select(r => r.Rule).Prepend("key"))));

    /// <summary>The scores of one rule by image key; null when the run has no such file or rule.</summary>
    public Dictionary<string, float>? ReadImageScores(string rule)
    {
        if (!File.Exists(ImageScores)) return null;
        var lines = File.ReadAllLines(ImageScores);
        var rules = lines[0].Split(',')[1..];
        int index = Array.IndexOf(rules, rule);
        if (index < 0) return null;
        // A key is a relative image path, which may hold commas: the scores are the last columns.
        return lines.Skip(1).Select(line => line.Split(',')).ToDictionary(
            fields => string.Join(',', fields[..^rules.Length]), fields => float.Parse(fields[^(rules.Length - index)], CultureInfo.InvariantCulture));
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
