using System.CommandLine;
using Spectre.Console;
using UniAD.Core.Configuration;
using UniAD.Core.Features;
using UniAD.Core.Training;

namespace UniAD.Cli.Commands;

internal static class BenchCommand
{
    public static Command Create()
    {
        var steps = new Option<int>("--steps") { Description = "Timed steps (median reported)", DefaultValueFactory = _ => 10 };
        var command = new Command("bench", "Measure GEMM GFLOP/s and UniAD training/inference throughput for a config on this machine")
        {
            CliOptions.Preset, CliOptions.ConfigFile, CliOptions.Ablation, CliOptions.Set, CliOptions.BatchSize, CliOptions.Device, steps,
        };
        CliAction.Set(command, (p, _) =>
        {
            // The benchmark times the transformer on random features of the config's shape: it never runs the backbone,
            // so it needs no weights file (paper-mvtec benches before EfficientNet-B4's weights are there).
            var config = CliOptions.Config(p, needsWeights: false);
            var device = DeviceSelector.Resolve(p.GetValue(CliOptions.Device));
            var (channels, gridH, gridW) = FeatureExtractor.ShapeOf(config.Backbone);
            var r = ThroughputBenchmark.Run(config, channels, gridH, gridW, device, p.GetValue(steps));
            AnsiConsole.MarkupLineInterpolated($"config: {channels} channels, {gridH}x{gridW} tokens, batch {config.Training.BatchSize}, device {r.Device}, {r.Threads} threads");
            AnsiConsole.MarkupLineInterpolated($"GEMM 1024x1024 fp32: {r.GemmGflops:F1} GFLOP/s");
            AnsiConsole.MarkupLineInterpolated($"train: {r.TrainImagesPerSecond:F2} images/s = {r.TrainGflopsPerSecond:F1} GFLOP/s ({100 * r.TrainGflopsPerSecond / r.GemmGflops:F0}% of GEMM; {r.FlopsPerTrainImage / 1e9:F2} GFLOP per image)");
            AnsiConsole.MarkupLineInterpolated($"inference: {r.EvalImagesPerSecond:F2} images/s");
            if (r.MaxRelativeDeviationFromCpu is double d)
                AnsiConsole.MarkupLineInterpolated($"anomaly maps vs the same weights on the CPU: max relative deviation {d:E2}");
            return 0;
        });
        return command;
    }
}
