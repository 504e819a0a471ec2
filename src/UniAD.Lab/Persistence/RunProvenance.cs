namespace UniAD.Lab.Persistence;

/// <summary>Where a run's numbers come from: the code and machine that trained it, or the file it was imported from.</summary>
public sealed class RunProvenance
{
    /// <summary>The git commit the lab ran from when the run was queued.</summary>
    public string CodeVersion { get; set; } = "";
    /// <summary>Resolved device, machine, .NET, TorchSharp and OS (set when training starts).</summary>
    public string Environment { get; set; } = "";
    /// <summary>For a run the lab did not train (e.g. "the official UniAD code: ckpt.pth.tar, epoch 1000"), with the
    /// SHA-256 of that file; null for a run the lab trained.</summary>
    public string? ImportedFrom { get; set; }
    public string? ImportedSha256 { get; set; }
}
