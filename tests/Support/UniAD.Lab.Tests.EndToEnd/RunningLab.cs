using System.Diagnostics;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using UniAD.Core.Training;
using UniAD.Tests;

namespace UniAD.Lab.Tests.EndToEnd;

/// <summary>The real lab, started from its build output as a separate process with a temporary data root, as a user
/// starts it; stopped (and its data removed) at the end. It binds loopback port 0 and the test reads the port the
/// server logs: a port picked in advance could be taken by another process before the lab binds it. As a researcher, it
/// is a team lab (accounts) whose researcher account and token are made through the lab's own pages and API.</summary>
public sealed class RunningLab : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _log = new();

    public string DataRoot { get; }
    public string Url { get; private set; } = "";
    public string Log { get { lock (_log) return _log.ToString(); } }

    public const string AdminName = "admin", ResearcherName = "researcher", Password = "a test passphrase";
    /// <summary>The researcher's personal access token, for a lab started as a researcher; null in laptop mode.</summary>
    public string? Token { get; private set; }

    /// <param name="dataRoot">The data root of a lab that ran before (a restart), or null for a fresh one.</param>
    /// <param name="environment">More environment variables for the lab process (e.g. a fault point to pause at).</param>
    /// <param name="asResearcher">A lab with accounts, used through a researcher's token (<see cref="Client"/>), rather
    /// than laptop mode's one user (an admin).</param>
    public RunningLab(string? dataRoot = null, IReadOnlyDictionary<string, string>? environment = null, bool asResearcher = false)
    {
        DataRoot = dataRoot ?? TestScratch.NewFolder("uniad-lab-e2e");
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            WorkingDirectory = DataRoot,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add(WebAssembly());
        start.ArgumentList.Add("--urls");
        start.ArgumentList.Add("http://127.0.0.1:0");
        start.Environment["Lab__DataRoot"] = DataRoot;
        start.Environment["Lab__Device"] = "cpu";
        start.Environment["Logging__LogLevel__Hangfire"] = "Debug";                    // a failing test shows what the job server did
        start.Environment["Logging__LogLevel__Microsoft.EntityFrameworkCore"] = "Warning";  // and not every SQL command
        if (asResearcher)
        {
            start.Environment["Lab__Auth__Mode"] = "Accounts";
            start.Environment["Lab__Auth__FirstAdmin__UserName"] = AdminName;
            start.Environment["Lab__Auth__FirstAdmin__Password"] = Password;
        }
        foreach (var (name, value) in environment ?? new Dictionary<string, string>()) start.Environment[name] = value;
        _process = StartLogged(start, _log);
        WaitUntilServing();
        if (asResearcher) Token = ResearcherTokenAsync().GetAwaiter().GetResult();
    }

    /// <summary>The API as the tests use it: as the researcher when the lab has accounts.</summary>
    public HttpClient Client()
    {
        var http = new HttpClient { BaseAddress = new Uri(Url), Timeout = TimeSpan.FromMinutes(5) };
        if (Token is not null) http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", Token);
        return http;
    }

    /// <summary>The researcher's token, made once per data root as a team would make it: the admin makes the account
    /// (POST /api/users), the researcher signs in and makes its token (POST /api/tokens). A restart on the same data root
    /// reads it back from the file the first start left beside the lab's data.</summary>
    private async Task<string> ResearcherTokenAsync()
    {
        var kept = Path.Combine(DataRoot, "test-researcher-token");
        if (File.Exists(kept)) return await File.ReadAllTextAsync(kept);
        using (var admin = await SignedInAsync(AdminName))
            await PostAsync(admin, "/api/users", new { userName = ResearcherName, role = "Researcher", password = Password });
        using var researcher = await SignedInAsync(ResearcherName);
        var token = (await Json(await PostAsync(researcher, "/api/tokens", new { name = "tests", days = 1 }))).GetProperty("secret").GetString()!;
        await File.WriteAllTextAsync(kept, token);
        return token;
    }

    /// <summary>The admin, signed in, for what only an admin reads (the audit list).</summary>
    public Task<HttpClient> AdminAsync() => SignedInAsync(AdminName);

    private async Task<HttpClient> SignedInAsync(string user)
    {
        var http = AccountForms.Client(Url);
        await AccountForms.SignInAsync(http, user, Password);
        var antiforgery = await Json(await http.GetAsync("/account/antiforgery"));
        http.DefaultRequestHeaders.Add("RequestVerificationToken", antiforgery.GetProperty("token").GetString());
        return http;
    }

    private static async Task<HttpResponseMessage> PostAsync(HttpClient http, string path, object body)
    {
        var answer = await http.PostAsync(path, JsonContent.Create(body));
        return answer.IsSuccessStatusCode ? answer : throw new InvalidOperationException($"POST {path}: {(int)answer.StatusCode} {await answer.Content.ReadAsStringAsync()}");
    }

    /// <summary>UniAD.Lab.Web.dll in the web project's output for this build configuration.</summary>
    /// <summary>Starts a process whose standard output and error lines go to <paramref name="log"/> as they come.</summary>
    internal static Process StartLogged(ProcessStartInfo start, StringBuilder log)
    {
        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, e) => { lock (log) log.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { lock (log) log.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    public static string WebAssembly() => ProgramOf("UniAD.Lab.Web");

    /// <summary>The built program of src/<paramref name="project"/>, in the test's own configuration.</summary>
    public static string ProgramOf(string project)
    {
        var testOutput = new DirectoryInfo(AppContext.BaseDirectory);                 // tests/X/bin/<Configuration>/net10.0/
        string configuration = testOutput.Parent!.Name, framework = testOutput.Name;
        var dll = RepositoryFolder(Path.Combine("src", project, "bin", configuration, framework, $"{project}.dll"));
        return File.Exists(dll) ? dll : throw new FileNotFoundException($"build the lab first: {dll}");
    }

    /// <summary>A path in the repository (the folder with UniAD.Lab.sln above the test's output).</summary>
    public static string RepositoryFolder(string relative)
    {
        var repo = new DirectoryInfo(AppContext.BaseDirectory);
        while (!File.Exists(Path.Combine(repo.FullName, "UniAD.Lab.sln"))) repo = repo.Parent ?? throw new FileNotFoundException("UniAD.Lab.sln not found above the tests");
        return Path.Combine(repo.FullName, relative);
    }

    private void WaitUntilServing()
    {
        using var http = new HttpClient();
        var deadline = DateTime.UtcNow.AddMinutes(5);
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited) throw new InvalidOperationException($"the lab exited with {_process.ExitCode}:\n{Log}");
            if (Url.Length == 0 && ListeningOn.Match(Log) is { Success: true } listening) Url = listening.Groups[1].Value;
            try
            {
                if (Url.Length > 0 && http.GetAsync(Url).GetAwaiter().GetResult().IsSuccessStatusCode) return;
            }
            catch (HttpRequestException) { }
            Thread.Sleep(250);
        }
        throw new TimeoutException($"the lab did not answer within 5 minutes (address: '{Url}'):\n{Log}");
    }

    /// <summary>A test failure with what the lab logged and every run's log appended: the lab is gone after the test.</summary>
    public Exception Explain(Exception failure)
    {
        var runs = Path.Combine(DataRoot, "runs");
        var runLogs = Directory.Exists(runs) ? Directory.EnumerateFiles(runs, RunFolder.LogFile, SearchOption.AllDirectories)
            .Select(f => $"--- {Path.GetRelativePath(DataRoot, f)}\n{File.ReadAllText(f)}") : [];
        var tail = Log.Split('\n').TakeLast(200);
        return new Exception($"{failure.Message}\n--- lab log (last 200 lines)\n{string.Join('\n', tail)}\n{string.Join('\n', runLogs)}", failure);
    }

    /// <summary>Polls the run over the API until it has finished (a tiny run takes seconds on two idle cores; the limit is
    /// for busy ones); a run that fails or is cancelled fails the test with its error.</summary>
    public Task<JsonElement> FinishedRunAsync(HttpClient http, int id) => RunEndedAsAsync(http, id, "Finished");

    /// <summary>Polls the run until it has ended with <paramref name="status"/>; ending otherwise fails the test.</summary>
    public static async Task<JsonElement> RunEndedAsAsync(HttpClient http, int id, string status)
    {
        for (var deadline = DateTime.UtcNow.AddMinutes(10); DateTime.UtcNow < deadline; await Task.Delay(250))
        {
            var run = await Json(await http.GetAsync($"/api/runs/{id}"));
            var now = run.GetProperty("status").GetString();
            if (now == status) return run;
            Assert.True(now is "Queued" or "Running", $"run {id} is {now}, not {status}: {run.GetProperty("error")}");
        }
        throw new TimeoutException($"run {id} did not end as {status}");
    }

    /// <summary>The first-admin link a lab with no account writes to its log at start (waited for).</summary>
    public async Task<(string Link, string Code)> SetupLinkAsync()
    {
        await WaitForLogAsync("/account/setup?code=", TimeSpan.FromMinutes(1));
        var found = SetupLink.Match(Log);
        return found.Success ? (found.Value, found.Groups[1].Value) : throw new InvalidOperationException($"no setup link in the log:\n{Log}");
    }

    private static readonly Regex SetupLink = new(@"http://127\.0\.0\.1:\d+/account/setup\?code=([A-Z0-9-]+)");

    /// <summary>Waits until the lab has logged a line containing <paramref name="text"/>.</summary>
    public async Task WaitForLogAsync(string text, TimeSpan limit)
    {
        for (var deadline = DateTime.UtcNow + limit; !Log.Contains(text); await Task.Delay(50))
            if (DateTime.UtcNow > deadline || _process.HasExited) throw new TimeoutException($"the lab did not log '{text}'");
    }

    public static async Task<JsonElement> Json(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

    /// <summary>ASP.NET's start-up line with the address it bound.</summary>
    private static readonly Regex ListeningOn = new(@"Now listening on: (http://127\.0\.0\.1:\d+)");

    /// <summary>SIGKILL, as a power cut or the OOM killer ends it: no shutdown code runs. The data root stays for a restart.</summary>
    public void KillHard()
    {
        _process.Kill(entireProcessTree: true);
        _process.WaitForExit();
    }

    /// <summary>SIGTERM, as systemd or a container runtime stops it, and its exit code once it has stopped. The data root
    /// stays for a restart.</summary>
    public Task<int> TerminateAsync(TimeSpan limit) => TerminateAsync(_process, limit);

    /// <summary>Sends <paramref name="process"/> SIGTERM and waits for it to exit.</summary>
    /// <exception cref="OperationCanceledException">It did not stop within <paramref name="limit"/>.</exception>
    internal static async Task<int> TerminateAsync(Process process, TimeSpan limit)
    {
        using (var kill = Process.Start("kill", ["-TERM", $"{process.Id}"])) await kill.WaitForExitAsync();
        using var timeout = new CancellationTokenSource(limit);
        await process.WaitForExitAsync(timeout.Token);
        return process.ExitCode;
    }

    public void Dispose()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        _process.WaitForExit();
        _process.Dispose();
        if (Directory.Exists(DataRoot)) Directory.Delete(DataRoot, recursive: true);
    }
}
