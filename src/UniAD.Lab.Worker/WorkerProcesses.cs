using System.Diagnostics;
using System.Runtime.InteropServices;

namespace UniAD.Lab.Worker;

/// <summary>A worker on a machine with several GPUs (or Lab:Worker:Processes above 1): it trains nothing itself, but
/// starts one worker process per GPU, each seeing that GPU alone, and keeps them running. A stop (SIGTERM, Ctrl+C) is
/// passed on to every child, which hands its run back; a child that dies is started again; a child whose parent is
/// gone (SIGKILL) stops on its own (<see cref="ParentWatch"/>).</summary>
public static class WorkerProcesses
{
    /// <summary>A child that exits this soon after starting, this many times in a row, is not started again: it fails
    /// at start (a setting, the database) and would only fail again.</summary>
    private static readonly TimeSpan QuickExit = TimeSpan.FromSeconds(60);
    private const int QuickExitsBeforeGivingUp = 3;
    private static readonly TimeSpan RestartDelay = TimeSpan.FromSeconds(10);

    /// <param name="gpus">The GPU each child sees (CUDA_VISIBLE_DEVICES), in turn; empty on a CPU.</param>
    /// <returns>The exit code: 0 after a stop, 1 when every child failed at start.</returns>
    public static async Task<int> SuperviseAsync(int processes, IReadOnlyList<string> gpus, string[] args)
    {
        using var stop = new CancellationTokenSource();
        using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, signal => { signal.Cancel = true; stop.Cancel(); });
        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, signal => { signal.Cancel = true; stop.Cancel(); });
        var children = Enumerable.Range(0, processes).Select(i => KeepRunningAsync(gpus.Count > 0 ? gpus[i % gpus.Count] : null, args, stop.Token));
        bool[] stopped = await Task.WhenAll(children);
        return stopped.Any(s => s) ? 0 : 1;
    }

    /// <returns>Whether it ended because the worker was asked to stop (rather than by giving up on the child).</returns>
    private static async Task<bool> KeepRunningAsync(string? gpu, string[] args, CancellationToken stop)
    {
        for (int quickExits = 0; quickExits < QuickExitsBeforeGivingUp;)
        {
            using var child = Process.Start(ChildStart(gpu, args))!;
            Say($"started worker process {child.Id}{(gpu is null ? "" : $" on GPU {gpu}")}");
            var started = Stopwatch.StartNew();
            try { await child.WaitForExitAsync(stop); }
            catch (OperationCanceledException)
            {
                Terminate(child.Id);                     // it hands its run back and exits; the service manager bounds the wait
                await child.WaitForExitAsync();
                Say($"worker process {child.Id} stopped (exit code {child.ExitCode})");
                return true;
            }
            quickExits = started.Elapsed < QuickExit ? quickExits + 1 : 0;
            Say($"worker process {child.Id} exited on its own (exit code {child.ExitCode}); starting another in {RestartDelay.TotalSeconds:F0} s");
            try { await Task.Delay(RestartDelay, stop); }
            catch (OperationCanceledException) { return true; }
        }
        Say($"a worker process{(gpu is null ? "" : $" for GPU {gpu}")} exited {QuickExitsBeforeGivingUp} times within {QuickExit.TotalSeconds:F0} s of starting: not starting it again (its output above says why)");
        return false;
    }

    /// <summary>This program again, with its arguments and environment, told who its parent is and which GPU it sees.</summary>
    private static ProcessStartInfo ChildStart(string? gpu, string[] args)
    {
        string host = Environment.ProcessPath!;
        var start = new ProcessStartInfo(host) { UseShellExecute = false };      // its output goes where this one's goes
        if (Path.GetFileNameWithoutExtension(host) == "dotnet") start.ArgumentList.Add(typeof(WorkerProcesses).Assembly.Location);
        foreach (var arg in args) start.ArgumentList.Add(arg);
        start.Environment["Lab__Worker__ParentProcessId"] = $"{Environment.ProcessId}";
        if (gpu is not null) start.Environment["CUDA_VISIBLE_DEVICES"] = gpu;
        return start;
    }

    /// <summary>The GPUs this process sees, as CUDA names them to a child: those CUDA_VISIBLE_DEVICES lists, else 0 to count-1.</summary>
    public static IReadOnlyList<string> VisibleGpus(int count) =>
        Environment.GetEnvironmentVariable("CUDA_VISIBLE_DEVICES") is { Length: > 0 } visible
            ? [.. visible.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Take(count)]
            : [.. Enumerable.Range(0, count).Select(i => $"{i}")];

    private static void Terminate(int processId) => _ = kill(processId, SigTerm);

    private const int SigTerm = 15;

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int signal);

    private static void Say(string line) => Console.WriteLine($"uniad worker {Environment.MachineName}:{Environment.ProcessId}: {line}");
}
