using System.Diagnostics;
using System.Net;
using System.Text.RegularExpressions;
using UniAD.Tests;

namespace UniAD.Lab.BrowserTests;

/// <summary>The lab as a team's admin starts it, as a separate process: laptop mode refuses an address others can
/// reach; with accounts, the first admin is made with the one-time code the lab wrote to its log, and only once.</summary>
public sealed partial class TeamLabTests
{
    [Fact]
    public async Task LaptopModeRefusesToListenBeyondLoopbackInOneLine()
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = TestScratch.NewFolder("uniad-laptop"),
        };
        foreach (var argument in new[] { RunningLab.WebAssembly(), "--urls", "http://0.0.0.0:0" }) start.ArgumentList.Add(argument);
        start.Environment["Lab__DataRoot"] = start.WorkingDirectory;
        start.Environment["Lab__Auth__Mode"] = "None";
        using var lab = Process.Start(start)!;
        var errors = lab.StandardError.ReadToEndAsync();
        _ = lab.StandardOutput.ReadToEndAsync();
        using var limit = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await lab.WaitForExitAsync(limit.Token);                                 // throws when the lab kept running on 0.0.0.0
        Assert.Equal(1, lab.ExitCode);
        var refusal = Assert.Single((await errors).Split('\n', StringSplitOptions.RemoveEmptyEntries), line => line.StartsWith("uniad lab: ", StringComparison.Ordinal));
        Assert.Contains("Lab:Auth:Mode=None (laptop mode: no accounts) listens on loopback only", refusal);
        Assert.Contains("Lab:Auth:Mode=Accounts", refusal);
    }

    [Fact]
    public async Task TheFirstAdminIsMadeWithTheCodeFromTheLogOnce()
    {
        using var lab = new RunningLab(environment: new Dictionary<string, string> { ["Lab__Auth__Mode"] = "Accounts" });
        await lab.WaitForLogAsync("/account/setup?code=", TimeSpan.FromMinutes(1));
        var link = SetupLink().Match(lab.Log);
        Assert.True(link.Success, lab.Log);
        Assert.Equal(lab.Url, link.Groups[1].Value);
        using var http = AccountForms.Client(lab.Url);
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync("/api/runs")).StatusCode);

        Dictionary<string, string> Fields(string code) => new()
        {
            ["Input.Code"] = code, ["Input.UserName"] = "ada", ["Input.Password"] = "twelve chars ok", ["Input.Confirm"] = "twelve chars ok",
        };
        var guessed = await AccountForms.PostAsync(http, "/account/setup", "setup", Fields("AAAAA-AAAAA-AAAAA-AAAAA"));
        Assert.Contains("That is not the setup code", await guessed.Content.ReadAsStringAsync());
        var made = await AccountForms.PostAsync(http, $"/account/setup?code={link.Groups[2].Value}", "setup", Fields(link.Groups[2].Value));
        Assert.Equal(HttpStatusCode.Redirect, made.StatusCode);                                  // signed in, sent to the lab
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/api/runs")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/hangfire")).StatusCode);          // an admin's door

        using var stranger = AccountForms.Client(lab.Url);
        var closed = await stranger.GetStringAsync("/account/setup");
        Assert.Contains("has its first admin already", closed);
    }

    [GeneratedRegex(@"Make the first admin at (http://127\.0\.0\.1:\d+)/account/setup\?code=([A-Z0-9-]+)")]
    private static partial Regex SetupLink();
}
