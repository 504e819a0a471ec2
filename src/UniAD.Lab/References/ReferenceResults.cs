using System.Text.Json;
using UniAD.Core.Configuration;
using UniAD.Core.Evaluation;

namespace UniAD.Lab.References;

/// <summary>The settings that decide how far a number can be compared with another; the method is UniAD's where an entry
/// does not name one.</summary>
public sealed record ReferenceSettings(string Backbone, string InputSize, int Epochs, int EffectiveBatch, string Selection, string ImageScore,
    string Features, string Method = "uniad");

/// <summary>A published number this lab did not produce: the paper's, the official release's, a third party's. Shown
/// beside runs with every setting that differs, never as a run.</summary>
public sealed record ReferenceResult(string Id, string Title, string Source, string Dataset, string Protocol, bool Unified,
    ReferenceSettings Settings, double? ImageAuroc, double? PixelAuroc, IReadOnlyDictionary<string, double>? Categories);

/// <summary>One setting where a run and a reference differ.</summary>
public sealed record SettingDifference(string Setting, string Run, string Reference);

/// <summary>The reference numbers (<c>reference-results.json</c>, embedded in this assembly; the sources are named in each
/// entry), and the comparison of a run's settings with theirs.</summary>
public static class ReferenceResults
{
    public static IReadOnlyList<ReferenceResult> All { get; } = Load();

    /// <summary>The references of the protocol a dataset follows: CIFAR-10's for a folder of classes with normal classes,
    /// VisA's for VisA (none are listed yet), MVTec AD's otherwise.</summary>
    public static IReadOnlyList<ReferenceResult> For(string datasetLayout, IReadOnlyCollection<string> normalClasses)
    {
        string protocol = datasetLayout == "class-folder" || normalClasses.Count > 0 ? "cifar" : datasetLayout == "visa" ? "visa" : "mvtec";
        return [.. All.Where(r => r.Protocol == protocol)];
    }

    /// <summary>A lab run's settings in the references' terms: the lab trains on one device, so the effective batch is the
    /// batch size; its results are the last epoch's (best-on-test is shown apart); cached features may be rounded to fp16.
    /// A PatchCore run trains nothing: no epochs, and its results are the memory bank's.</summary>
    public static ReferenceSettings SettingsOf(UniadConfig config, string imageScore)
    {
        bool patchcore = config.Method == Method.Patchcore;
        return new(
            config.Backbone.Kind == BackboneKind.EfficientnetB4 ? "efficientnet_b4" : "resnet18",
            $"{config.Backbone.InputSize[0]}x{config.Backbone.InputSize[1]}", patchcore ? 0 : config.Training.Epochs, config.Training.BatchSize,
            patchcore ? "nothing trained (memory bank)" : "last epoch",
            imageScore.Length > 0 ? imageScore : ImageScore.Describe(config.Evaluation.ImageScore, config.Evaluation.AvgPoolKernel),
            config.Training.CacheFeaturesHalf ? "features rounded to fp16 (cached once; training.cache_features_half)" : "fp32 (cached once)",
            config.Method.ToString().ToLowerInvariant());
    }

    public static IReadOnlyList<SettingDifference> Differences(ReferenceSettings run, string dataset, bool unified, ReferenceResult reference)
    {
        var differences = new List<SettingDifference>();
        void Compare(string setting, string mine, string theirs)
        {
            if (!string.Equals(mine, theirs, StringComparison.OrdinalIgnoreCase)) differences.Add(new(setting, mine, theirs));
        }
        Compare("method", run.Method, reference.Settings.Method);
        Compare("dataset", dataset, reference.Dataset);
        Compare("model", unified ? "unified" : "per-category", reference.Unified ? "unified" : "per-category");
        Compare("backbone", run.Backbone, reference.Settings.Backbone);
        Compare("input size", run.InputSize, reference.Settings.InputSize);
        Compare("epochs", $"{run.Epochs}", $"{reference.Settings.Epochs}");
        Compare("effective batch", $"{run.EffectiveBatch}", $"{reference.Settings.EffectiveBatch}");
        Compare("selection", run.Selection, reference.Settings.Selection);
        Compare("image score", run.ImageScore, reference.Settings.ImageScore);
        Compare("backbone features", run.Features, reference.Settings.Features);
        return differences;
    }

    private static IReadOnlyList<ReferenceResult> Load()
    {
        using var stream = typeof(ReferenceResults).Assembly.GetManifestResourceStream("UniAD.Lab.References.reference-results.json")
            ?? throw new InvalidOperationException("reference-results.json is not embedded in UniAD.Lab");
        return JsonSerializer.Deserialize<List<ReferenceResult>>(stream, new JsonSerializerOptions { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower })
            ?? [];
    }
}
