using System.Diagnostics;
using System.Text;

namespace UniAD.Lab.Tests.EndToEnd;

/// <summary>A training worker (src/UniAD.Lab.Worker) started from its build output as its own process, on a lab's data
/// root and PostgreSQL database, training on the CPU; killed at the end if it still runs. The lab owns the data root.</summary>
public sealed class RunningWorker : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _log = new();

    public RunningWorker(string dataRoot, string postgres, IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            WorkingDirectory = dataRoot, RedirectStandardOutput = true, RedirectStandardError = true,
        };
        start.ArgumentList.Add(RunningLab.ProgramOf("UniAD.Lab.Worker"));
        start.Environment["Lab__DataRoot"] = dataRoot;
        start.Environment["Lab__Device"] = "cpu";
        start.Environment["Lab__Database__Provider"] = "Postgres";
        start.Environment["Lab__Database__ConnectionString"] = postgres;
        start.Environment["Logging__LogLevel__Microsoft.EntityFrameworkCore"] = "Warning";
        foreach (var (name, value) in environment ?? new Dictionary<string, string>()) start.Environment[name] = value;
        _process = RunningLab.StartLogged(start, _log);
    }

    /// <summary><c>host:pid</c>, the name it registers and runs record.</summary>
    public string Name => $"{Environment.MachineName}:{_process.Id}";
    public string Log { get { lock (_log) return _log.ToString(); } }

    /// <summary>Until it has registered as a worker (its log says so).</summary>
    public Task RegisteredAsync() => WaitForLogAsync($"Worker {Name} trains runs from", TimeSpan.FromMinutes(2));

    public async Task WaitForLogAsync(string text, TimeSpan limit)
    {
        for (var deadline = DateTime.UtcNow + limit; !Log.Contains(text); await Task.Delay(50))
            if (DateTime.UtcNow > deadline || _process.HasExited) throw new TimeoutException($"worker {Name} did not log '{text}':\n{Log}");
    }

    /// <summary>SIGKILL, as a power loss or the OOM killer ends it: no heartbeat, no hand-back.</summary>
    public void KillHard()
    {
        _process.Kill(entireProcessTree: true);
        _process.WaitForExit();
    }

    /// <summary>SIGKILL to this process alone, not to the worker processes it started.</summary>
    public void KillAlone()
    {
        _process.Kill(entireProcessTree: false);
        _process.WaitForExit();
    }

    /// <summary>SIGTERM, as systemd or a container runtime stops it, and its exit code once it has stopped.</summary>
    public Task<int> TerminateAsync(TimeSpan limit) => RunningLab.TerminateAsync(_process, limit);

    public void Dispose()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        _process.WaitForExit();
        _process.Dispose();
    }
}
