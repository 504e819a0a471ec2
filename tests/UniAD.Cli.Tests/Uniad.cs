using System.Diagnostics;
using System.Text.RegularExpressions;

namespace UniAD.Cli.Tests;

/// <summary>What a user sees from one run of the program.</summary>
public sealed record UniadRun(string Command, int Exit, string Stdout, string Stderr)
{
    public string[] StdoutLines => Stdout.Split('\n', StringSplitOptions.TrimEntries);

    /// <summary>Stdout with single spaces between words: undoes the wrapping of long lines at the console width
    /// (80 columns when the output is redirected).</summary>
    public string StdoutWords => Regex.Replace(Stdout, @"\s+", " ");

    /// <summary>For failure messages: the command and its whole output.</summary>
    public override string ToString() => $"{Command}: exit {Exit}\n--- stdout\n{Stdout}\n--- stderr\n{Stderr}";
}

/// <summary>Runs the real <c>uniad</c> program, built next to these tests, as a separate process.</summary>
public static class Uniad
{
    /// <summary>A safety net against a hung process, not a measurement: generous, so a busy machine never trips it.</summary>
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(10);

    public static UniadRun Run(params string[] args)
    {
        var command = $"uniad {string.Join(' ', args)}";
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "uniad.dll"));
        foreach (var arg in args) start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(Timeout))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"{command} did not finish within {Timeout}");
        }
        return new UniadRun(command, process.ExitCode, stdout.Result, stderr.Result);
    }

    public static UniadRun Succeeds(params string[] args)
    {
        var run = Run(args);
        Assert.True(run.Exit == 0, run.ToString());
        return run;
    }

    /// <summary>A user error: exit code 1, one line on stderr that says what is wrong, and no stack trace.</summary>
    public static void FailsWithOneLine(string[] args, params string[] expectedInMessage)
    {
        var run = Run(args);
        Assert.True(run.Exit == 1, run.ToString());
        Assert.DoesNotContain((run.Stdout + run.Stderr).Split('\n'), line => line.StartsWith("   at "));
        var message = Assert.Single(run.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        foreach (var expected in expectedInMessage) Assert.Contains(expected, message);
    }
}
