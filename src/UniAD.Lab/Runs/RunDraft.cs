using System.Globalization;
using UniAD.Core.Configuration;
using UniAD.Lab.Persistence;

namespace UniAD.Lab.Runs;

/// <summary>The New run form's state, as its fields hold it (seeds and overrides as text): a preset, one of the paper's
/// ablations, the common fields, and free <c>section.key=value</c> overrides for every other config field. It becomes a
/// <see cref="RunSpec"/>, which <see cref="RunRequests"/> checks; only what is particular to typed text (seeds that are
/// not numbers) is checked here. Start one with <see cref="RunRequests.NewDraft"/>, which sets the lab's defaults.</summary>
public sealed class RunDraft
{
    public int? DatasetId { get; set; }
    public IReadOnlyCollection<string> Categories { get; set; } = [];
    public string NormalClasses { get; set; } = "";
    public string Preset { get; private set; } = ConfigRequest.DefaultPreset;
    /// <summary>The method the preset trains, or the one chosen over it (<see cref="ChooseMethod"/>).</summary>
    public Method Method { get; private set; }
    public string Ablation { get; set; } = Presets.FullModel;
    public int Epochs { get; set; }
    public int BatchSize { get; set; }
    /// <summary>training.evaluate_every_epochs: test metrics during training (0 = only after the last epoch).</summary>
    public int EvaluateEvery { get; set; }
    public string Seeds { get; set; } = "";
    public string Overrides { get; set; } = "";
    public string Device { get; set; } = "auto";
    public string Queue { get; set; } = Queues.Training;
    public string Name { get; set; } = "";

    public RunDraft() => ApplyPreset(Preset);

    /// <summary>Starts from a preset: its epochs, batch size, test interval and seed fill the form. An unknown preset is
    /// kept, for the request's check to name.</summary>
    public void ApplyPreset(string preset)
    {
        Preset = preset;
        if (!Presets.ByName.TryGetValue(preset, out var make)) return;
        var config = make();
        Method = config.Method;
        (Epochs, BatchSize, EvaluateEvery, Seeds) = (config.Training.Epochs, config.Training.BatchSize,
            config.Training.EvaluateEveryEpochs, config.Training.Seed.ToString(CultureInfo.InvariantCulture));
    }

    /// <summary>Another method: its own preset (<see cref="Presets.DefaultFor"/>), and no ablation of UniAD's.</summary>
    public void ChooseMethod(Method method)
    {
        if (method == Method) return;
        ApplyPreset(Presets.DefaultFor(method));
        (Method, Ablation) = (method, Presets.FullModel);
    }

    /// <summary>A form that queues the same run again, to edit before queueing: the run's preset and ablation (for a run
    /// not built from a preset, such as an imported one, the preset its config is closest to), and everything its config
    /// changed on top of them as overrides.</summary>
    public static RunDraft CloneOf(RunRecord run)
    {
        var config = UniadConfig.FromJson(run.Request.ConfigJson).ForNewRun();   // a new run, so the official engine behaviour
        var draft = new RunDraft();
        draft.ApplyPreset(Presets.ByName.ContainsKey(run.Request.Preset) ? run.Request.Preset : Presets.Closest(config));
        draft.Ablation = Presets.Ablations.ContainsKey(run.Request.Ablation) ? run.Request.Ablation : Presets.FullModel;
        var start = ConfigOverrides.Apply(Presets.ByName[draft.Preset](), Presets.Ablations[draft.Ablation]);
        string[] inForm = ["method", "training.epochs", "training.batch_size", "training.seed", "training.evaluate_every_epochs"];
        draft.Method = config.Method;
        draft.Overrides = string.Join('\n', ConfigDiff.Overrides(start, config).Where(o => !inForm.Contains(o[..o.IndexOf('=')])));
        (draft.Epochs, draft.BatchSize, draft.EvaluateEvery, draft.Seeds) =
            (config.Training.Epochs, config.Training.BatchSize, config.Training.EvaluateEveryEpochs, run.Request.Seed.ToString(CultureInfo.InvariantCulture));
        (draft.DatasetId, draft.Categories, draft.NormalClasses) = (run.DatasetId, run.Request.Categories, string.Join(", ", run.Request.NormalClasses));
        (draft.Device, draft.Queue, draft.Name) = (run.Request.Device, run.Request.Queue, $"{run.Name} (copy)");
        return draft;
    }

    /// <summary>Overrides as the form holds them: one per line; blank lines and lines starting with '#' are ignored.</summary>
    public static IReadOnlyList<string> Lines(string text) =>
        [.. text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Where(l => !l.StartsWith('#'))];

    /// <summary>The form as a request, with the problems only typed text has. Seeds that cannot be read are left out of
    /// the request (its default seed stands in), so the form names only what is wrong with them.</summary>
    public (RunSpec Spec, IReadOnlyList<string> Problems) ToSpec()
    {
        var problems = new List<string>();
        var seeds = new List<int>();
        foreach (var text in Seeds.Split([',', ' '], StringSplitOptions.RemoveEmptyEntries))
            if (int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int seed)) seeds.Add(seed);
            else problems.Add($"seed '{text}' is not a whole number");
        var normal = RunSpec.NormalClassesOf(NormalClasses);
        return (new RunSpec(DatasetId, Name, Preset, Ablation, Epochs, BatchSize, EvaluateEvery, problems.Count == 0 ? seeds : null,
            Lines(Overrides), [.. Categories], normal, Device, Queue, Method), problems);
    }
}
