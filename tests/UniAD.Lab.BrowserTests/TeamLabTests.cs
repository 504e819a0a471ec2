using System.Diagnostics;
using System.Net;
using UniAD.Tests;

namespace UniAD.Lab.BrowserTests;

/// <summary>The lab as a team's admin starts it, as a separate process: laptop mode refuses an address others can
/// reach; with accounts, the first admin is made with the one-time code the lab wrote to its log, or by the
/// create-admin command, and only once.</summary>
public sealed class TeamLabTests
{
    private const string CreateAdmin = "create-admin";

    /// <summary>The lab's own program with <paramref name="arguments"/>, on a data root, to its exit.</summary>
    private static async Task<(int ExitCode, string Output, string Errors)> RunLabAsync(string dataRoot, IReadOnlyList<string> arguments,
        IReadOnlyDictionary<string, string>? environment = null, string? input = null)
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, WorkingDirectory = dataRoot,
        };
        foreach (var argument in arguments.Prepend(RunningLab.WebAssembly())) start.ArgumentList.Add(argument);
        start.Environment["Lab__DataRoot"] = dataRoot;
        foreach (var (name, value) in environment ?? new Dictionary<string, string>()) start.Environment[name] = value;
        using var lab = Process.Start(start)!;
        var (output, errors) = (lab.StandardOutput.ReadToEndAsync(), lab.StandardError.ReadToEndAsync());
        if (input is not null) await lab.StandardInput.WriteLineAsync(input);
        lab.StandardInput.Close();
        using var limit = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await lab.WaitForExitAsync(limit.Token);                                 // throws when it kept running
        return (lab.ExitCode, await output, await errors);
    }

    [Fact]
    public async Task LaptopModeRefusesToListenBeyondLoopbackInOneLine()
    {
        var (exitCode, _, errors) = await RunLabAsync(TestScratch.NewFolder("uniad-laptop"), ["--urls", "http://0.0.0.0:0"],
            new Dictionary<string, string> { ["Lab__Auth__Mode"] = "None" });
        Assert.Equal(1, exitCode);
        var refusal = Assert.Single(errors.Split('\n', StringSplitOptions.RemoveEmptyEntries), line => line.StartsWith("uniad lab: ", StringComparison.Ordinal));
        Assert.Contains("Lab:Auth:Mode=None (laptop mode: no accounts) listens on loopback only", refusal);
        Assert.Contains("Lab:Auth:Mode=Accounts", refusal);
    }

    [Fact]
    public async Task TheLabRefusesToTrainTwoRunsAtOnceInItsOwnProcessAndSaysWhatToDoInstead()
    {
        var (exitCode, _, errors) = await RunLabAsync(TestScratch.NewFolder("uniad-two-trainings"), [],
            new Dictionary<string, string> { ["Lab__Workers__training"] = "2" });
        Assert.Equal(1, exitCode);
        var refusal = Assert.Single(errors.Split('\n', StringSplitOptions.RemoveEmptyEntries), line => line.StartsWith("uniad lab: ", StringComparison.Ordinal));
        Assert.Contains("Lab:Workers:training is 2, but the lab trains at most one run at a time in its own process", refusal);
        Assert.Contains("src/UniAD.Lab.Worker", refusal);
    }

    [Fact]
    public async Task CreateAdminMakesTheFirstAdminOnceAndTheLabSignsItIn()
    {
        var dataRoot = TestScratch.NewFolder("uniad-create-admin");
        var (made, output, _) = await RunLabAsync(dataRoot, [CreateAdmin, "ops"], input: "a passphrase from a file");
        Assert.Equal(0, made);
        Assert.Contains("Made the first admin, ops", output);
        var (again, _, refused) = await RunLabAsync(dataRoot, [CreateAdmin, "second"], input: "another passphrase");
        Assert.Equal(1, again);
        Assert.Contains("the lab has accounts already", refused);

        using var lab = new RunningLab(dataRoot, new Dictionary<string, string> { ["Lab__Auth__Mode"] = "Accounts" });
        using var http = AccountForms.Client(lab.Url);
        await AccountForms.SignInAsync(http, "ops", "a passphrase from a file");
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/api/users")).StatusCode);          // an admin's door
    }

    [Fact]
    public async Task MoveToPostgresTakesTheAccountsAlongAndTheLabStartsOnTheMovedDatabase()
    {
        var dataRoot = TestScratch.NewFolder("uniad-move");
        Assert.Equal(0, (await RunLabAsync(dataRoot, [CreateAdmin, "ops"], input: "a passphrase from a file")).ExitCode);
        string postgres = PostgresServer.Shared.CreateDatabase("moved");
        var (moved, output, errors) = await RunLabAsync(dataRoot, ["move-to-postgres"], input: postgres);
        Assert.True(moved == 0, errors);
        Assert.Contains("compared them row by row: identical", output);
        Assert.DoesNotContain("Password", output + errors);                                   // the connection string is not echoed
        var (again, _, refused) = await RunLabAsync(dataRoot, ["move-to-postgres"], input: postgres);
        Assert.Equal(1, again);
        Assert.Contains("the target database is not empty (", refused);

        File.Delete(Path.Combine(dataRoot, "lab.db"));                                       // what the lab serves now is in PostgreSQL
        using var lab = new RunningLab(dataRoot, new Dictionary<string, string>
        {
            ["Lab__Auth__Mode"] = "Accounts", ["Lab__Database__Provider"] = "Postgres", ["Lab__Database__ConnectionString"] = postgres,
        });
        using var http = AccountForms.Client(lab.Url);
        await AccountForms.SignInAsync(http, "ops", "a passphrase from a file");
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/api/users")).StatusCode);
    }

    [Fact]
    public async Task TheFirstAdminIsMadeWithTheCodeFromTheLogOnce()
    {
        using var lab = new RunningLab(environment: new Dictionary<string, string> { ["Lab__Auth__Mode"] = "Accounts" });
        var (link, code) = await lab.SetupLinkAsync();
        Assert.StartsWith($"{lab.Url}/account/setup?code=", link);                                // the lab's own address
        using var http = AccountForms.Client(lab.Url);
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync("/api/runs")).StatusCode);

        Dictionary<string, string> Fields(string code) => new()
        {
            ["Input.Code"] = code, ["Input.UserName"] = "ada", ["Input.Password"] = "twelve chars ok", ["Input.Confirm"] = "twelve chars ok",
        };
        var guessed = await AccountForms.PostAsync(http, "/account/setup", "setup", Fields("AAAAA-AAAAA-AAAAA-AAAAA"));
        Assert.Contains("That is not the setup code", await guessed.Content.ReadAsStringAsync());
        var made = await AccountForms.PostAsync(http, $"/account/setup?code={code}", "setup", Fields(code));
        Assert.Equal(HttpStatusCode.Redirect, made.StatusCode);                                  // signed in, sent to the lab
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/api/runs")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/hangfire")).StatusCode);          // an admin's door

        using var stranger = AccountForms.Client(lab.Url);
        var closed = await stranger.GetStringAsync("/account/setup");
        Assert.Contains("has its first admin already", closed);
    }
}
