using System.CommandLine;
using UniAD.Core;
using System.Globalization;
using Spectre.Console;
using UniAD.Core.Configuration;
using UniAD.Core.Data;
using UniAD.Core.Evaluation;
using UniAD.Core.Features;
using UniAD.Core.Model;
using UniAD.Core.Training;
using static TorchSharp.torch;

namespace UniAD.Cli.Commands;

internal static class PredictCommand
{
    public static Command Create()
    {
        var checkpoint = new Option<string>("--checkpoint") { Description = "checkpoint.uniad of a trained run", Required = true };
        var input = new Option<string>("--input") { Description = "An image, or a folder of images (searched recursively)", Required = true };
        var output = new Option<string>("--out") { Description = "Folder for scores.csv and the heatmap overlays", Required = true };
        var perImage = new Option<bool>("--per-image-scale") { Description = "Scale each heatmap to its own min-max (default: one scale for all images)" };
        var command = new Command("predict", "Score images and write heatmap overlays") { checkpoint, input, output, perImage, CliOptions.Device };
        CliAction.Set(command, (p, cancel) =>
        {
            var trained = Checkpoint.Load(p.GetValue(checkpoint)!);
            var config = trained.Config;
            var images = ImagesAt(p.GetValue(input)!);
            var device = DeviceSelector.Resolve(p.GetValue(CliOptions.Device));
            using var extractor = new FeatureExtractor(config.Backbone, device);
            using var model = trained.CreateModel(device);
            var samples = images.Select(path => new AnomalySample(Path.GetFileName(path), path, "predict", Split.Test, false, "unknown", null)).ToList();
            using var features = extractor.Extract(samples, config.Training.BatchSize, half: false, cancel: cancel);
            using var maps = Evaluator.AnomalyMaps(model, features, config.Training.BatchSize, device);
            using var upsampled = UniadModel.UpsampleMap(maps, extractor.InputHeight, extractor.InputWidth);
            var scores = ImageScore.Compute(upsampled, config.Evaluation.ImageScore, config.Evaluation.AvgPoolKernel).data<float>().ToArray();

            var outDir = p.GetValue(output)!;
            Directory.CreateDirectory(outDir);
            float globalLow = upsampled.min().item<float>(), globalHigh = upsampled.max().item<float>();
            var lines = new List<string> { "image,score,heatmap" };
            for (int i = 0; i < images.Count; i++)
            {
                cancel.ThrowIfCancellationRequested();
                using var map = upsampled[i, 0];
                var (low, high) = p.GetValue(perImage) ? (map.min().item<float>(), map.max().item<float>()) : (globalLow, globalHigh);
                var heatmap = Path.Combine(outDir, $"{i:D4}_{Path.GetFileNameWithoutExtension(images[i])}_heatmap.png");
                HeatmapOverlay.SavePng(images[i], map, low, high, heatmap);
                lines.Add(string.Join(',', images[i], scores[i].ToString("R", CultureInfo.InvariantCulture), heatmap));
                AnsiConsole.MarkupLineInterpolated($"{scores[i],10:F5}  {images[i]}");
            }
            File.WriteAllLines(Path.Combine(outDir, "scores.csv"), lines);
            AnsiConsole.MarkupLineInterpolated($"image score: {ImageScore.Describe(config.Evaluation.ImageScore, config.Evaluation.AvgPoolKernel)}; heatmap scale {(p.GetValue(perImage) ? "per image" : $"{globalLow:G4}..{globalHigh:G4} for all images")}");
            return 0;
        });
        return command;
    }

    private static List<string> ImagesAt(string path)
    {
        if (File.Exists(path)) return [Path.GetFullPath(path)];
        if (!Directory.Exists(path)) throw new InvalidFileException($"no image or folder at {path}");
        var images = Directory.EnumerateFiles(path, "*", SearchOption.AllDirectories)
            .Where(ImageDecoder.HasImageExtension)
            .Order(StringComparer.Ordinal).ToList();
        return images.Count > 0 ? images : throw new InvalidFileException($"no images ({string.Join(", ", ImageDecoder.Extensions)}) in {path}");
    }
}
