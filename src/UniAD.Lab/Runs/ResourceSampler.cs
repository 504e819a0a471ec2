using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.InteropServices;
using UniAD.Lab.Persistence;

namespace UniAD.Lab.Runs;

/// <summary>Samples what a training run uses, on a thread of its own (the training thread is busy in libtorch, and a
/// thread-pool timer can wait for a free thread as long as a short run lasts): CPU of the lab process (100 = one core
/// busy), its resident memory, and on CUDA the device's utilisation and memory in use. The samples wait in memory until
/// the progress recorder writes them with its next batch.</summary>
internal sealed class ResourceSampler : IDisposable
{
    private readonly Process _process = Process.GetCurrentProcess();
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly ConcurrentQueue<ResourceSample> _pending = new();
    private readonly double _secondsBefore;
    private readonly int? _gpu;
    private readonly CancellationTokenSource _stop = new();
    private readonly Thread _thread;
    private readonly Lock _sampling = new();
    private TimeSpan _cpuBefore;
    private double _wallBefore;

    /// <param name="secondsBefore">Training-job time the run already had (a resumed run's timeline continues).</param>
    /// <param name="gpu">The CUDA device index, or null on the CPU.</param>
    public ResourceSampler(int runId, TimeSpan interval, double secondsBefore, int? gpu)
    {
        (RunId, _secondsBefore, _gpu) = (runId, secondsBefore, gpu);
        _cpuBefore = _process.TotalProcessorTime;
        _thread = new Thread(() => { while (!_stop.Token.WaitHandle.WaitOne(interval)) Sample(); }) { IsBackground = true, Name = $"resources of run {runId}" };
        _thread.Start();
    }

    public int RunId { get; }
    /// <summary>Seconds of training-job time in all, this execution's included.</summary>
    public double Seconds => _secondsBefore + _clock.Elapsed.TotalSeconds;

    /// <summary>The samples taken since the last call.</summary>
    public IReadOnlyList<ResourceSample> Drain()
    {
        var samples = new List<ResourceSample>();
        while (_pending.TryDequeue(out var sample)) samples.Add(sample);
        return samples;
    }

    /// <summary>Takes a sample now (the last one of a job's execution, so even a run shorter than the interval has one).</summary>
    public void Sample()
    {
        using var _ = _sampling.EnterScope();
        _process.Refresh();
        double wall = _clock.Elapsed.TotalSeconds;
        var cpu = _process.TotalProcessorTime;
        double percent = wall > _wallBefore ? 100 * (cpu - _cpuBefore).TotalSeconds / (wall - _wallBefore) : 0;
        (_cpuBefore, _wallBefore) = (cpu, wall);
        var gpu = _gpu is int index ? Nvml.Read(index) : null;
        var sample = new ResourceSample
        {
            RunId = RunId, Seconds = _secondsBefore + wall, CpuPercent = percent, MemoryBytes = _process.WorkingSet64,
            GpuUtilizationPercent = gpu?.UtilizationPercent, GpuMemoryBytes = gpu?.UsedBytes,
        };
        _pending.Enqueue(sample);
    }

    public void Dispose()
    {
        _stop.Cancel();
        _thread.Join();
        _stop.Dispose();
        _process.Dispose();
    }
}

/// <summary>NVIDIA's management library (installed with the driver), for one device's utilisation and memory in use.
/// Device-wide numbers: another process on the same GPU counts too. Null where the library or the device is missing.</summary>
internal static class Nvml
{
    private const string Library = "libnvidia-ml.so.1";
    private static readonly Lazy<bool> Initialised = new(() => { try { return nvmlInit_v2() == 0; } catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException) { return false; } });

    public sealed record Reading(double UtilizationPercent, long UsedBytes);

    public static Reading? Read(int index)
    {
        if (!Initialised.Value || nvmlDeviceGetHandleByIndex_v2((uint)index, out var device) != 0) return null;
        if (nvmlDeviceGetUtilizationRates(device, out var utilization) != 0 || nvmlDeviceGetMemoryInfo(device, out var memory) != 0) return null;
        return new Reading(utilization.Gpu, (long)memory.Used);
    }

    /// <summary>The device's name and memory, e.g. "NVIDIA H200, 140 GB".</summary>
    public static string? Describe(int index)
    {
        if (!Initialised.Value || nvmlDeviceGetHandleByIndex_v2((uint)index, out var device) != 0) return null;
        var name = new byte[96];
        if (nvmlDeviceGetName(device, name, (uint)name.Length) != 0 || nvmlDeviceGetMemoryInfo(device, out var memory) != 0) return null;
        return FormattableString.Invariant($"{System.Text.Encoding.ASCII.GetString(name).TrimEnd('\0')}, {memory.Total / 1e9:F0} GB");
    }

    [StructLayout(LayoutKind.Sequential)] private struct Utilization { public uint Gpu; public uint Memory; }
    [StructLayout(LayoutKind.Sequential)] private struct Memory { public ulong Total; public ulong Free; public ulong Used; }

    [DllImport(Library)] private static extern int nvmlInit_v2();
    [DllImport(Library)] private static extern int nvmlDeviceGetHandleByIndex_v2(uint index, out IntPtr device);
    [DllImport(Library)] private static extern int nvmlDeviceGetUtilizationRates(IntPtr device, out Utilization utilization);
    [DllImport(Library)] private static extern int nvmlDeviceGetMemoryInfo(IntPtr device, out Memory memory);
    [DllImport(Library)] private static extern int nvmlDeviceGetName(IntPtr device, byte[] name, uint length);
}
