using System.Diagnostics;

namespace UniAD.Tests;

/// <summary>Runs a reference script with Debian's python, the one that has the packages the tests install (numpy,
/// scipy, sklearn, PyTorch). Fails loudly rather than skipping, so a machine without the reference cannot pass silently.</summary>
public static class DebianPython
{
    public const string Python = "/usr/bin/python3";

    /// <returns>What the script wrote to standard output.</returns>
    /// <param name="installHint">The command that installs what the script needs, said when it fails.</param>
    public static string Run(string script, IEnumerable<string> arguments, string installHint, string? input = null)
    {
        if (!File.Exists(Python)) throw new InvalidOperationException($"{Python} not found. {installHint}");
        var start = new ProcessStartInfo(Python) { RedirectStandardInput = input is not null, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(script);
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"cannot start {Python}");
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEndAsync();
        if (input is not null)
        {
            process.StandardInput.Write(input);
            process.StandardInput.Close();
        }
        process.WaitForExit();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{Path.GetFileName(script)} {string.Join(' ', arguments.Take(1))} failed (exit {process.ExitCode}). {installHint}\n{stderr.Result}");
        return stdout.Result;
    }
}
