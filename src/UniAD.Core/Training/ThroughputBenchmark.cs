using System.Diagnostics;
using TorchSharp;
using UniAD.Core.Configuration;
using UniAD.Core.Model;
using static TorchSharp.torch;

namespace UniAD.Core.Training;

public sealed record ThroughputResult(double GemmGflops, double TrainImagesPerSecond, double TrainGflopsPerSecond,
    double EvalImagesPerSecond, double FlopsPerTrainImage, int Threads, string Device, double? MaxRelativeDeviationFromCpu);

/// <summary>Measures, in one process, the machine's float32 GEMM rate and UniAD's training and inference
/// throughput on random aligned features of the configured shape, so their ratio says how close the
/// transformer runs to the hardware's limit. A measurement, not a test.</summary>
public static class ThroughputBenchmark
{
    public static ThroughputResult Run(UniadConfig config, int channels, int gridHeight, int gridWidth, Device device, int steps = 10)
    {
        int batch = config.Training.BatchSize;
        double gemm = GemmGflops(device);
        using var trainer = Trainer.Start(config, channels, gridHeight, gridWidth, "benchmark", device);
        var model = trainer.Model;
        using var features = randn(batch, channels, gridHeight, gridWidth, device: device);
        model.train();
        double trainSeconds = Timed(() => trainer.Step(features), steps);   // Step waits for the device (loss.item)
        model.eval();
        double evalSeconds;
        using (no_grad()) evalSeconds = Timed(() => { using var s = NewDisposeScope(); model.forward(features).AnomalyMap.sum().item<float>(); }, steps);

        double? deviation = device.type == DeviceType.CPU ? null : DeviationFromCpu(model, features);

        double flopsPerImage = 3 * ForwardFlopsPerImage(config.Model, channels, gridHeight * gridWidth); // forward + 2× backward
        double trainImagesPerSecond = batch / trainSeconds;
        return new ThroughputResult(gemm, trainImagesPerSecond, trainImagesPerSecond * flopsPerImage / 1e9,
            batch / evalSeconds, flopsPerImage, get_num_threads(), device.ToString(), deviation);
    }

    /// <summary>The same trained weights and inputs on the CPU: max |map_device − map_cpu| / max |map_cpu|.</summary>
    private static double DeviationFromCpu(UniadModel model, Tensor features)
    {
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        var onDevice = model.forward(features).AnomalyMap.cpu();
        model.to(CPU);
        var onCpu = model.forward(features.cpu()).AnomalyMap;
        return (onDevice - onCpu).abs().max().item<float>() / onCpu.abs().max().item<float>();
    }

    /// <summary>Matrix-multiply FLOPs of one image's forward pass (2 per multiply-add), counting
    /// projections, attention scores and weighted sums, and feed-forward layers.</summary>
    public static double ForwardFlopsPerImage(ReconstructionConfig m, int channels, int tokens)
    {
        double d = m.HiddenDim, l = tokens, f = m.FeedForwardDim;
        double attention = 2 * l * d * 3 * d + 2 * l * d * d + 2 * 2 * l * l * d;   // in_proj, out_proj, QKᵀ and AV
        double feedForward = 2 * 2 * l * d * f;
        double encoder = m.EncoderLayers * (attention + feedForward);
        double decoder = m.DecoderLayers * (2 * attention + feedForward);
        return 2 * l * channels * d * 2 + encoder + decoder;                        // + input and output projections
    }

    private static double GemmGflops(Device device)
    {
        const int n = 1024;
        using var a = randn(n, n, device: device);
        using var b = randn(n, n, device: device);
        double seconds = Timed(() => { using var c = a.matmul(b); c[0, 0].item<float>(); }, 20);
        return 2.0 * n * n * n / seconds / 1e9;
    }

    /// <returns>Median seconds per call, after two warm-up calls.</returns>
    private static double Timed(Action action, int repeats)
    {
        action();
        action();
        var times = new double[repeats];
        for (int i = 0; i < repeats; i++)
        {
            var clock = Stopwatch.StartNew();
            action();
            times[i] = clock.Elapsed.TotalSeconds;
        }
        Array.Sort(times);
        return times[repeats / 2];
    }
}
