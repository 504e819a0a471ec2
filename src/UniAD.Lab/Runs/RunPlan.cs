using UniAD.Core.Configuration;

namespace UniAD.Lab.Runs;

/// <summary>One run a request will queue: its name, its study variant (empty outside a study), its seed and its config.</summary>
public sealed record PlannedRun(string Name, string Variant, int Seed, UniadConfig Config);

/// <summary>A <see cref="RunSpec"/> with the lab's defaults filled in and every rule checked, once: every problem, one
/// line each, and when there is none the config of every run it queues. What each front end shows and queues.</summary>
/// <param name="Spec">The request with every default filled in (device, queue, seeds, preset, ablation).</param>
/// <param name="Config">The config before seeds and variants, or null when it cannot be built.</param>
public sealed record RunPlan(RunSpec Spec, IReadOnlyList<string> Problems, UniadConfig? Config, IReadOnlyList<PlannedRun> Runs)
{
    public bool CanQueue => Problems.Count == 0;
}
