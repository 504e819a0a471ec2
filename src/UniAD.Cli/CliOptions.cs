using System.CommandLine;
using UniAD.Core;
using UniAD.Core.Configuration;
using UniAD.Core.Data;
using UniAD.Datasets;

namespace UniAD.Cli;

/// <summary>Options shared by several commands, and how they become a config and a dataset.</summary>
internal static class CliOptions
{
    public static Option<string> Data() => new("--data")
    {
        Description = "Dataset: a stored version (<store>/<name>/<version>), an MVTec-layout folder, or the image root of --train-meta/--test-meta",
        Required = true,
    };
    public static readonly Option<string?> TrainMeta = new("--train-meta") { Description = "UniAD JSON-lines metadata of the training images" };
    public static readonly Option<string?> TestMeta = new("--test-meta") { Description = "UniAD JSON-lines metadata of the test images" };
    public static readonly Option<string[]> Categories = new("--categories") { Description = "Only these categories, comma-separated or repeated (default: all, one unified model)", AllowMultipleArgumentsPerToken = true };
    public static readonly Option<string[]> NormalClasses = new("--normal-classes") { Description = "Folder-of-classes dataset (train/<class>, test/<class>): these classes (names or alphabetical indices, or a paper CIFAR-10 split: 01234, 56789, 02468, 13579) are normal, the rest anomalous", AllowMultipleArgumentsPerToken = true };
    public static readonly Option<int?> TrainPerClass = new("--train-per-class") { Description = "With --normal-classes: use a fixed random subset of this many training images per class" };
    public static readonly Option<int?> TestPerClass = new("--test-per-class") { Description = "With --normal-classes: use a fixed random subset of this many test images per class" };
    public static readonly Option<string> Device = new("--device") { Description = "auto (CUDA when available), cpu, cuda or cuda:N", DefaultValueFactory = _ => "auto" };
    public static readonly Option<string?> Cache = new("--feature-cache") { Description = "Folder of cached backbone features, shared across runs (default: <out>/feature-cache)" };

    public static readonly Option<string?> Preset = new("--preset")
    {
        Description = $"Starting config: {string.Join(", ", Presets.ByName.Keys)} (default: {Presets.DefaultFor(Core.Configuration.Method.Uniad)}, " +
                      $"or {Presets.DefaultFor(Core.Configuration.Method.Patchcore)} with --method patchcore)",
    };
    public static readonly Option<Method?> Method = new("--method")
    {
        Description = "uniad or patchcore (default: the config's; UniAD unless it says otherwise)",
        CustomParser = result =>
        {
            var text = result.Tokens[0].Value;
            if (Enum.TryParse<Method>(text, ignoreCase: true, out var method) && Enum.IsDefined(method)) return method;
            result.AddError($"unknown method '{text}': choose uniad or patchcore");
            return null;
        },
    };
    public static readonly Option<string> Ablation = new("--ablation")
    {
        Description = $"One of the paper's ablations on top of the config: {string.Join(", ", Presets.Ablations.Keys)}",
        DefaultValueFactory = _ => Presets.FullModel,
    };
    public static readonly Option<string?> ConfigFile = new("--config") { Description = "A config.json to start from instead of a preset" };
    public static readonly Option<int?> Epochs = new("--epochs") { Description = "Training epochs" };
    public static readonly Option<int?> BatchSize = new("--batch-size") { Description = "Batch size" };
    public static readonly Option<int?> Seed = new("--seed") { Description = "Random seed" };
    public static readonly Option<string[]> Set = new("--set") { Description = "Config override key=value, e.g. model.queries=none (repeatable)" };

    public static AnomalyDataset Dataset(ParseResult p, Option<string> data)
    {
        var classFolder = ClassFolder(p) is { } chosen
            ? chosen with { TrainPerClass = p.GetValue(TrainPerClass), TestPerClass = p.GetValue(TestPerClass) }
            : null;
        var root = p.GetValue(data)!;
        // Comma-separated or repeated, as --normal-classes
        var categories = p.GetValue(Categories)?.SelectMany(c => c.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToArray();
        return DatasetVersion.IsVersionFolder(root)
            ? DatasetVersion.Open(root).Load(classFolder).WithCategories(categories)
            : DatasetLoader.Open(root, p.GetValue(TrainMeta), p.GetValue(TestMeta), categories, classFolder);
    }

    /// <summary>The normal classes given (comma-separated or repeated, or a paper split), or null.</summary>
    public static ClassFolderOptions? ClassFolder(ParseResult p) =>
        p.GetValue(NormalClasses) is { Length: > 0 } normal ? ClassFolderOptions.Parse(normal) : null;

    /// <summary>Whether the command line names a config (a preset, a file, overrides, batch size or seed) rather than
    /// leaving every one at its default.</summary>
    public static bool GaveConfig(ParseResult p) =>
        new Option[] { Preset, Method, ConfigFile, Ablation, Set, BatchSize, Seed }.Any(o => p.GetResult(o) is { Implicit: false });

    /// <summary>The config the options ask for, through the same <see cref="ConfigRequest"/> as the lab's form and API.
    /// <paramref name="needsWeights"/>: false for commands that only describe the model.</summary>
    public static UniadConfig Config(ParseResult p, bool needsWeights = true)
    {
        var file = p.GetValue(ConfigFile);
        if (file is not null && !File.Exists(file)) throw new InvalidFileException($"config file not found: {file}");
        return new ConfigRequest
        {
            Preset = p.GetValue(Preset), Method = p.GetResult(Method) is null ? null : p.GetValue(Method), ConfigFile = file is null ? null : (File.ReadAllText(file), file), Ablation = p.GetValue(Ablation)!,
            Epochs = p.GetValue(Epochs), BatchSize = p.GetValue(BatchSize), Seed = p.GetValue(Seed), Overrides = p.GetValue(Set) ?? [],
        }.Build(needsWeights);
    }
}
