using UniAD.Core.Training;

namespace UniAD.Cli.Tests;

/// <summary>A demo dataset made by <c>uniad demo-data</c>, stored by <c>uniad dataset import</c>, and one run trained on
/// the stored version by <c>uniad train</c> with the tiny config, shared by the tests that need a trained model.</summary>
public sealed class TrainedRun : IDisposable
{
    private readonly string _root = TestScratch.NewFolder("uniad-cli");

    /// <summary>Demo images are larger than the model's 64×64 input, so that heatmaps at the image's size are
    /// told apart from heatmaps at the input size.</summary>
    private const int ImageSize = 72;
    public static readonly string[] Categories = ["fabric", "nut"];

    public string Data => Path.Combine(_root, "data");
    public string Store => Path.Combine(_root, "store");
    public string DatasetVersion => Directory.EnumerateDirectories(Path.Combine(Store, "demo")).Single();
    public string ConfigFile => Path.Combine(_root, "config.json");
    public string RunFolder => Path.Combine(_root, "run");
    public string Checkpoint => new UniAD.Core.Training.RunFolder(RunFolder).Checkpoint;
    public UniadRun DemoData { get; }
    public UniadRun Import { get; }
    public UniadRun Train { get; }

    public TrainedRun()
    {
        DemoData = Uniad.Succeeds(["demo-data", "--out", Data, "--image-size", $"{ImageSize}", "--train", "6", "--test-good", "2",
            "--test-defect", "1", "--categories", .. Categories]);
        File.WriteAllText(ConfigFile, TinyDataset.Config(epochs: 2).ToJson());
        Import = Uniad.Succeeds("dataset", "import", Data, "--name", "demo", "--store", Store);
        Train = Uniad.Succeeds("train", "--data", DatasetVersion, "--out", RunFolder, "--config", ConfigFile,
            "--categories", string.Join(',', Categories), "--set", "training.evaluate_every_epochs=1");
    }

    /// <summary>A path under this fixture's folder that does not exist yet.</summary>
    public string NewPath(string name) => Path.Combine(_root, name);

    public void Dispose() => Directory.Delete(_root, recursive: true);
}
