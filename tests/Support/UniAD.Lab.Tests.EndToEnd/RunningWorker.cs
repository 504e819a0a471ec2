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
        _process = Process.Start(start)!;
        _process.OutputDataReceived += (_, e) => { lock (_log) _log.AppendLine(e.Data); };
        _process.ErrorDataReceived += (_, e) => { lock (_log) _log.AppendLine(e.Data); };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    /// <summary><c>host:pid</c>, the name it registers and runs record.</summary>
    public string Name => $"{Environment.MachineName}:{_process.Id}";
    public string Log { get { lock (_log) return _log.ToString(); } }

    /// <summary>Until it has registered as a worker (its log says so).</summary>
    public async Task RegisteredAsync()
    {
        for (var deadline = DateTime.UtcNow.AddMinutes(2); !Log.Contains($"Worker {Name} trains runs from"); await Task.Delay(50))
            if (DateTime.UtcNow > deadline || _process.HasExited) throw new TimeoutException($"worker {Name} did not register:\n{Log}");
    }

    public void Dispose()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        _process.WaitForExit();
        _process.Dispose();
    }
}
