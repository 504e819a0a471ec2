using System.CommandLine;
using Spectre.Console;
using UniAD.Core.Backbones;
using UniAD.Core.Configuration;
using UniAD.Core.Features;
using UniAD.Core.Model;
using static TorchSharp.torch;

namespace UniAD.Cli.Commands;

internal static class InfoCommand
{
    public static Command Create()
    {
        var command = new Command("info", "Show the device, the backbone and the model a config builds")
        {
            CliOptions.Preset, CliOptions.ConfigFile, CliOptions.Ablation, CliOptions.Set, CliOptions.Device,
        };
        CliAction.Set(command, (p, _) =>
        {
            var config = CliOptions.Config(p, needsWeights: false);
            var device = DeviceSelector.Resolve(p.GetValue(CliOptions.Device));
            var grid = new Grid().AddColumns(2);
            void Row(string key, string value) => grid.AddRow(new Text(key), new Text(value));
            Row("TorchSharp", typeof(TorchSharp.torch).Assembly.GetName().Version?.ToString() ?? "?");
            Row("CUDA available", cuda.is_available() ? $"yes ({cuda.device_count()} device(s))" : "no");
            Row("device", device.ToString());
            Row("CPU threads", get_num_threads().ToString());
            // Shapes and parameter counts need no weights: info works before the weights file is there.
            var (channels, gridHeight, gridWidth) = FeatureExtractor.ShapeOf(config.Backbone);
            Row("backbone", $"{config.Backbone.Kind}, layers {string.Join(",", config.Backbone.OutLayers)}, " +
                            $"input {config.Backbone.InputSize[0]}x{config.Backbone.InputSize[1]}");
            Row("weights", config.Backbone.WeightsPath ?? (config.Backbone.Kind == BackboneKind.Resnet18
                ? BackboneFactory.DefaultResNet18Weights : "none set: training, evaluation and prediction need backbone.weights_path"));
            Row("aligned features", $"{channels} channels on a {gridHeight}x{gridWidth} grid");
            using var model = new UniadModel(config.Model, channels, gridHeight, gridWidth);
            Row("UniAD parameters", $"{model.parameters().Sum(t => t.numel()):N0} trainable");
            AnsiConsole.Write(grid);
            AnsiConsole.WriteLine(config.ToJson());
            return 0;
        });
        return command;
    }
}
