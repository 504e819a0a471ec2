using System.Globalization;
using UniAD.Core;
using UniAD.Core.Configuration;
using UniAD.Lab.Persistence;

namespace UniAD.Lab.Runs;

/// <summary>The New run form's state and its validation: a preset, one of the paper's ablations, the common fields,
/// and free <c>section.key=value</c> overrides for every other config field. Kept apart from the page so the rules
/// are tested without a browser.</summary>
public sealed class RunDraft
{
    public int? DatasetId { get; set; }
    public IReadOnlyCollection<string> Categories { get; set; } = [];
    public string NormalClasses { get; set; } = "";
    public string Preset { get; private set; } = Core.Configuration.ConfigRequest.DefaultPreset;
    public string Ablation { get; set; } = "full";
    public int Epochs { get; set; }
    public int BatchSize { get; set; }
    /// <summary>training.evaluate_every_epochs: test metrics during training (0 = only after the last epoch).</summary>
    public int EvaluateEvery { get; set; }
    public string Seeds { get; set; } = "";
    public string Overrides { get; set; } = "";
    public string Device { get; set; } = "auto";
    public string Queue { get; set; } = Queues.Training;
    public string Name { get; set; } = "";

    /// <summary>The EfficientNet-B4 weights the lab keeps (<see cref="OfficialImports.KeptEfficientNetB4"/>): an EfficientNet-B4
    /// config that names no weights file uses them.</summary>
    public string? KeptEfficientNetB4Weights { get; set; }

    public RunDraft() => ApplyPreset(Preset);

    /// <summary>A form that queues the same run again, to edit before queueing: the run's preset, and everything its
    /// config changed on top of it as overrides (the ablation included).</summary>
    public static RunDraft CloneOf(RunRecord run)
    {
        var draft = new RunDraft();
        string preset = run.Preset.Split(' ')[0];
        draft.ApplyPreset(Presets.ByName.ContainsKey(preset) ? preset : "resnet18");
        var config = UniadConfig.FromJson(run.ConfigJson).ForNewRun();   // a new run, so the official engine behaviour
        string[] inForm = ["training.epochs", "training.batch_size", "training.seed", "training.evaluate_every_epochs"];
        draft.Overrides = string.Join('\n', ConfigDiff.Overrides(Presets.ByName[draft.Preset](), config)
            .Where(o => !inForm.Contains(o[..o.IndexOf('=')])));
        (draft.Epochs, draft.BatchSize, draft.EvaluateEvery, draft.Seeds) =
            (config.Training.Epochs, config.Training.BatchSize, config.Training.EvaluateEveryEpochs, run.Seed.ToString(CultureInfo.InvariantCulture));
        (draft.DatasetId, draft.Categories, draft.NormalClasses) =
            (run.DatasetId, run.Categories.Split(',', StringSplitOptions.RemoveEmptyEntries), run.NormalClasses);
        (draft.Device, draft.Queue, draft.Name) = (run.Device, run.Queue, $"{run.Name} (copy)");
        return draft;
    }

    /// <summary>Starts from a preset: its epochs, batch size, test interval and seed fill the form. An unknown preset is
    /// kept, for <see cref="Problems"/> to name.</summary>
    public void ApplyPreset(string preset)
    {
        Preset = preset;
        if (!Presets.ByName.TryGetValue(preset, out var make)) return;
        var config = make();
        (Epochs, BatchSize, EvaluateEvery, Seeds) = (config.Training.Epochs, config.Training.BatchSize,
            config.Training.EvaluateEveryEpochs, config.Training.Seed.ToString(CultureInfo.InvariantCulture));
    }

    public IReadOnlyList<int> SeedList() =>
        Seeds.Split([',', ' '], StringSplitOptions.RemoveEmptyEntries).Select(s =>
            int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out int seed) ? seed
            : throw new UserException($"seed '{s}' is not a whole number")).Distinct().ToList();

    /// <summary>The config this form describes; an <see cref="ArgumentException"/> names the invalid fields and keys.</summary>
    public UniadConfig Config() => ConfigRequest().Build();

    /// <summary>The form's config fields as the request every front end builds its config through.</summary>
    private ConfigRequest ConfigRequest() => new()
    {
        Preset = Preset, Ablation = Ablation, Epochs = Epochs, BatchSize = BatchSize, EvaluateEvery = EvaluateEvery,
        Overrides = Lines(Overrides), DefaultEfficientNetB4Weights = KeptEfficientNetB4Weights,
    };

    /// <summary>Overrides as the form holds them: one per line; blank lines and lines starting with '#' are ignored.</summary>
    public static IReadOnlyList<string> Lines(string text) =>
        [.. text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Where(l => !l.StartsWith('#'))];

    public const string NameMissing = "give the run a name", NoSeed = "give at least one seed";

    /// <summary>Every problem with the form, empty when it can be queued.</summary>
    public IReadOnlyList<string> Problems()
    {
        var problems = new List<string>();
        if (DatasetId is null) problems.Add("choose a dataset");
        if (string.IsNullOrWhiteSpace(Name)) problems.Add(NameMissing);
        try { if (SeedList().Count == 0) problems.Add(NoSeed); }
        catch (UserException e) { problems.Add(e.Message); }
        problems.AddRange(ConfigRequest().Problems());
        if (DeviceSelector.Problem(Device) is { } device) problems.Add(device);
        return problems;
    }

    public RunRequest ToRequest(string user, bool requireName = true)
    {
        var problems = Problems().Where(p => requireName || p != NameMissing).ToList();
        if (problems.Count > 0) throw new UserException(problems);
        return new RunRequest(DatasetId!.Value, Config(), SeedList(), Name.Trim(), Ablation == "full" ? Preset : $"{Preset} {Ablation}",
            [.. Categories], NormalClasses.Trim(), Device, Queue, user);
    }
}
