namespace UniAD.Core.Data;

/// <summary>Files a dataset's metadata names (UniAD's JSON lines, VisA's split file): relative to the dataset root, and
/// never outside it, so that metadata cannot make the lab read elsewhere on the machine.</summary>
internal static class MetadataPaths
{
    /// <summary>The full path of <paramref name="relative"/> under <paramref name="root"/> (itself a full path), or null
    /// when it lies outside.</summary>
    public static string? Inside(string root, string relative) =>
        Path.GetFullPath(Path.Combine(root, relative)) is var full && full.StartsWith(root + Path.DirectorySeparatorChar, StringComparison.Ordinal)
            ? full : null;
}
