using System.Diagnostics;

namespace UniAD.Lab.Runs;

/// <summary>The git commit the lab runs from, recorded with every run.</summary>
public static class CodeVersion
{
    public static string Current { get; } = Detect();

    private static string Detect()
    {
        try
        {
            using var git = Process.Start(new ProcessStartInfo("git", "rev-parse HEAD") { RedirectStandardOutput = true, RedirectStandardError = true })!;
            string commit = git.StandardOutput.ReadToEnd().Trim();
            git.WaitForExit();
            return git.ExitCode == 0 ? commit : "unknown";
        }
        catch (System.ComponentModel.Win32Exception) { return "unknown (git not installed)"; }
    }
}
