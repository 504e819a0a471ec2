using System.CommandLine;
using Spectre.Console;
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
            CliOptions.Preset, CliOptions.ConfigFile, CliOptions.Set, CliOptions.Device,
        };
        CliAction.Set(command, (p, _) =>
        {
            var config = CliOptions.Config(p);
            var device = DeviceSelector.Resolve(p.GetValue(CliOptions.Device));
            var grid = new Grid().AddColumns(2);
            void Row(string key, string value) => grid.AddRow(new Text(key), new Text(value));
            Row("TorchSharp", typeof(TorchSharp.torch).Assembly.GetName().Version?.ToString() ?? "?");
            Row("CUDA available", cuda.is_available() ? $"yes ({cuda.device_count()} device(s))" : "no");
            Row("device", device.ToString());
            Row("CPU threads", get_num_threads().ToString());
            using var extractor = new FeatureExtractor(config.Backbone, device);
            Row("backbone", $"{config.Backbone.Kind}, layers {string.Join(",", config.Backbone.OutLayers)}, input {extractor.InputHeight}x{extractor.InputWidth}");
            Row("aligned features", $"{extractor.Channels} channels on a {extractor.GridHeight}x{extractor.GridWidth} grid");
            using var model = new UniadModel(config.Model, extractor.Channels, extractor.GridHeight, extractor.GridWidth);
            Row("UniAD parameters", $"{model.parameters().Sum(t => t.numel()):N0} trainable");
            AnsiConsole.Write(grid);
            AnsiConsole.WriteLine(config.ToJson());
            return 0;
        });
        return command;
    }
}
