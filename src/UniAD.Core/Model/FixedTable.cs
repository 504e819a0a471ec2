using static TorchSharp.torch;

namespace UniAD.Core.Model;

/// <summary>A table derived from the config (the neighbor mask, the sine positions), kept as a non-persistent buffer as
/// in the official code: never in the state dict. TorchSharp 0.107 leaves non-persistent buffers out of
/// <c>Module.to</c>, so the owning module converts its table itself, with this.</summary>
internal static class FixedTable
{
    /// <returns>The table with the requested dtype and device; the old one is disposed when it had to change.</returns>
    public static Tensor To(Tensor table, ScalarType? dtype, Device? device)
    {
        var (targetType, targetDevice) = (dtype ?? table.dtype, device ?? table.device);
        if (table.dtype == targetType && table.device == targetDevice) return table;
        var converted = table.to(targetType, targetDevice).DetachFromDisposeScope();
        table.Dispose();
        return converted;
    }
}
