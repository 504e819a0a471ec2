using System.Text.Json;

namespace UniAD.Core.Tests.Interop;

/// <summary>Runs <c>official_checkpoint.py</c> with Debian's python and its PyTorch, the real other side of the
/// interop. Fails loudly rather than skipping, so a machine without PyTorch cannot pass silently.</summary>
internal static class OfficialTorch
{
    private const string InstallHint = "Install it with: apt-get install python3-torch";

    public static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "Interop", "OfficialParity", name);

    /// <summary>WEIGHTS as <c>tools/train_val.py</c> writes a checkpoint (legacy: PyTorch's pre-1.6 format).</summary>
    public static void Wrap(string weights, string output, bool legacy = false) =>
        Run(["wrap", weights, output, .. legacy ? new[] { "--legacy" } : []]);

    /// <summary>SOURCE loaded and saved again by PyTorch (legacy: in its pre-1.6 format).</summary>
    public static void Resave(string source, string output, bool legacy) =>
        Run(["resave", source, output, .. legacy ? new[] { "--legacy" } : []]);

    /// <summary>What <c>torch.load</c> finds in a checkpoint.</summary>
    public static JsonElement Keys(string checkpoint) => JsonDocument.Parse(Run(["keys", checkpoint])).RootElement;

    private static string Run(string[] arguments) =>
        DebianPython.Run(Path.Combine(AppContext.BaseDirectory, "Interop", "official_checkpoint.py"), arguments, InstallHint);
}
