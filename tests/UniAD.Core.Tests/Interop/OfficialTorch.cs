using System.Diagnostics;
using System.Text.Json;

namespace UniAD.Core.Tests.Interop;

/// <summary>Runs <c>official_checkpoint.py</c> with Debian's python and its PyTorch, the real other side of the
/// interop. Fails loudly rather than skipping, so a machine without PyTorch cannot pass silently.</summary>
internal static class OfficialTorch
{
    private const string Python = "/usr/bin/python3";
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

    private static string Run(string[] arguments)
    {
        if (!File.Exists(Python)) throw new InvalidOperationException($"{Python} not found. {InstallHint}");
        var start = new ProcessStartInfo(Python) { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Interop", "official_checkpoint.py"));
        foreach (var a in arguments) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        string stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"official_checkpoint.py {arguments[0]} failed (exit {process.ExitCode}). {InstallHint}\n{stderr.Result}");
        return stdout;
    }
}
