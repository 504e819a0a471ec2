namespace UniAD.Core.Tests;

/// <summary>Tests that seed or draw from TorchSharp's process-wide RNG (training, jitter, dropout) run one at
/// a time: a parallel test drawing from the same generator would change their numbers.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class GlobalTorchRng
{
    public const string Name = "global torch RNG";
}
