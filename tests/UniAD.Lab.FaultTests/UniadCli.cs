using System.Diagnostics;

namespace UniAD.Lab.FaultTests;

/// <summary>The real <c>uniad</c> program, from its own build output, as a separate process: exit code and output.</summary>
public static class UniadCli
{
    public sealed record Outcome(int Exit, string Stdout, string Stderr)
    {
        public override string ToString() => $"exit {Exit}\n--- stdout\n{Stdout}\n--- stderr\n{Stderr}";
    }

    public static Outcome Run(params string[] args)
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add(Dll());
        foreach (var arg in args) start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(5)))                // a safety net against a hang, not a measurement
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"uniad {string.Join(' ', args)} did not finish");
        }
        return new Outcome(process.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>A user error: exit 1 and one line on standard error, no stack trace; returns that line.</summary>
    public static string FailsWithOneLine(params string[] args)
    {
        var outcome = Run(args);
        Assert.True(outcome.Exit == 1, outcome.ToString());
        Assert.DoesNotContain((outcome.Stdout + outcome.Stderr).Split('\n'), line => line.TrimStart().StartsWith("at "));
        return Assert.Single(outcome.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
    }

    private static string Dll()
    {
        var testOutput = new DirectoryInfo(AppContext.BaseDirectory);                 // tests/X/bin/<Configuration>/net10.0/
        var dll = Path.Combine(RunningLab.RepositoryFolder("src"), "UniAD.Cli", "bin", testOutput.Parent!.Name, testOutput.Name, "uniad.dll");
        return File.Exists(dll) ? dll : throw new FileNotFoundException($"build the CLI first: {dll}");
    }
}
