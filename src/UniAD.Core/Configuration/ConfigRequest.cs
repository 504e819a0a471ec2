using UniAD.Core.Backbones;

namespace UniAD.Core.Configuration;

/// <summary>What a user asks for a run's config, from any front end: the CLI's options, the lab's New run form and its
/// HTTP API all fill one of these and build the config through it. So each rule is written once (a known preset and
/// ablation, well-formed overrides, the engine's <see cref="ConfigRules"/>, the EfficientNet-B4 weights) and every
/// front end answers the same mistake with the same words.</summary>
public sealed record ConfigRequest
{
    /// <summary>The preset every front end starts from when neither a preset nor a method is named: a few minutes on a laptop CPU.</summary>
    public const string DefaultPreset = "quick";

    /// <summary>The preset to start from; null: the <see cref="Method"/>'s default (<see cref="Presets.DefaultFor"/>).</summary>
    public string? Preset { get; init; }
    /// <summary>The method the run trains, over whatever the starting config says; null keeps the starting config's.</summary>
    public Method? Method { get; init; }
    /// <summary>A config file's text to start from instead of the preset, and the file's name for messages.</summary>
    public (string Json, string Name)? ConfigFile { get; init; }
    /// <summary>One of <see cref="Presets.Ablations"/>, applied on top of the starting config.</summary>
    public string Ablation { get; init; } = Presets.FullModel;
    public int? Epochs { get; init; }
    public int? BatchSize { get; init; }
    /// <summary>training.evaluate_every_epochs.</summary>
    public int? EvaluateEvery { get; init; }
    public int? Seed { get; init; }
    /// <summary><c>section.key=value</c>, applied last.</summary>
    public IReadOnlyList<string> Overrides { get; init; } = [];
    /// <summary>The EfficientNet-B4 weights an EfficientNet-B4 config uses when it names none (the lab keeps one).</summary>
    public string? DefaultEfficientNetB4Weights { get; init; }

    /// <summary>Each problem, one line naming the option or key; empty when the config can be built.
    /// <paramref name="needsWeights"/>: whether the config is for work that runs the backbone (training, evaluation),
    /// which needs its ImageNet weights file; describing a model does not.</summary>
    public IReadOnlyList<string> Problems(bool needsWeights = true) => Check(needsWeights).Problems;

    /// <exception cref="ConfigException">Every problem.</exception>
    public UniadConfig Build(bool needsWeights = true)
    {
        var (config, problems) = Check(needsWeights);
        return problems.Count == 0 ? config! : throw new ConfigException(problems);
    }

    /// <summary>The config, built once, with every problem found on the way or by the rules (the config is null when it
    /// could not be built at all).</summary>
    public (UniadConfig? Config, IReadOnlyList<string> Problems) Check(bool needsWeights = true)
    {
        try
        {
            var config = Unchecked(needsWeights);
            return (config, ConfigRules.Problems(config));
        }
        catch (UserException e) { return (null, e.Problems); }
    }

    /// <summary>The starting config with the ablation, the common fields and the overrides applied, before the rules.</summary>
    private UniadConfig Unchecked(bool needsWeights)
    {
        if (!Presets.Ablations.TryGetValue(Ablation, out var ablation))
            throw new ConfigException($"unknown ablation '{Ablation}'; known: {string.Join(", ", Presets.Ablations.Keys)}");
        var overrides = ablation.ToList();
        if (Method is { } method) overrides.Add($"method={method.ToString().ToLowerInvariant()}");
        if (Epochs is int epochs) overrides.Add($"training.epochs={epochs}");
        if (BatchSize is int batch) overrides.Add($"training.batch_size={batch}");
        if (EvaluateEvery is int every) overrides.Add($"training.evaluate_every_epochs={every}");
        if (Seed is int seed) overrides.Add($"training.seed={seed}");
        var config = ConfigOverrides.Apply(Start(), overrides.Concat(Overrides));
        if (config.Method == Configuration.Method.Patchcore && Ablation != Presets.FullModel)
            throw new ConfigException($"ablation '{Ablation}' removes a part of UniAD's transformer, which a PatchCore run does not have");
        if (config.Backbone is { Kind: BackboneKind.EfficientnetB4, WeightsPath: null } && DefaultEfficientNetB4Weights is { } kept)
            config = config with { Backbone = config.Backbone with { WeightsPath = kept } };
        if (needsWeights && config.Backbone.Kind == BackboneKind.EfficientnetB4) EfficientNetB4Weights.RequireFile(config.Backbone.WeightsPath);
        return config;
    }

    private UniadConfig Start()
    {
        if (ConfigFile is var (json, name))
        {
            try { return UniadConfig.FromJson(json, strict: true); }
            catch (Exception e) when (e is System.Text.Json.JsonException or InvalidDataException) { throw new ConfigException($"{name} is not a valid config: {e.Message}"); }
        }
        var preset = Preset ?? Presets.DefaultFor(Method ?? Configuration.Method.Uniad);
        return Presets.ByName.TryGetValue(preset, out var make) ? make()
            : throw new ConfigException($"unknown preset '{preset}'; known: {string.Join(", ", Presets.ByName.Keys)}");
    }
}
