using UniAD.Core.Configuration;

namespace UniAD.Lab.Runs;

/// <summary>What a user asks to queue, as any front end (the New run form, the New study form's base, the HTTP API)
/// received it: everything but the dataset and the name may be left out, and <see cref="RunRequests"/> fills it in with
/// the lab's defaults (the preset's epochs, batch size, test interval and seed; <c>Lab:Device</c>; the training queue).</summary>
/// <param name="Overrides"><c>section.key=value</c>, applied after the preset, the ablation and the common fields.</param>
/// <param name="Categories">Empty or null = every category, one unified model.</param>
/// <param name="NormalClasses">For a folder-of-classes dataset: names or indices, or one paper split (e.g. 01234).</param>
/// <param name="Method">The method over the preset's; with no preset, also the preset (<see cref="Presets.DefaultFor"/>).</param>
public sealed record RunSpec(
    int? DatasetId, string? Name, string? Preset = null, string? Ablation = null, int? Epochs = null, int? BatchSize = null,
    int? EvaluateEvery = null, IReadOnlyList<int>? Seeds = null, IReadOnlyList<string>? Overrides = null,
    IReadOnlyList<string>? Categories = null, IReadOnlyList<string>? NormalClasses = null, string? Device = null, string? Queue = null,
    Method? Method = null)
{
    public string PresetOrDefault => Preset ?? Presets.DefaultFor(Method ?? Core.Configuration.Method.Uniad);
    public string AblationOrDefault => Ablation ?? Presets.FullModel;

    /// <summary>Normal classes as one comma-separated text holds them (the form's field, the API's string), each as given.</summary>
    public static IReadOnlyList<string> NormalClassesOf(string text) =>
        text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
