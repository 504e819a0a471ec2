using System.CommandLine;
using UniAD.Core;
using System.Globalization;
using Spectre.Console;
using UniAD.Core.Configuration;
using UniAD.Core.Data;
using UniAD.Core.Evaluation;
using UniAD.Core.Features;
using UniAD.Core.Model;
using UniAD.Core.PatchCore;
using UniAD.Core.Training;
using static TorchSharp.torch;

namespace UniAD.Cli.Commands;

internal static class PredictCommand
{
    public static Command Create()
    {
        var checkpoint = new Option<string>("--checkpoint") { Description = "checkpoint.uniad of a UniAD run, or memory_bank.patchcore of a PatchCore run", Required = true };
        var input = new Option<string>("--input") { Description = "An image, or a folder of images (searched recursively)", Required = true };
        var output = new Option<string>("--out") { Description = "Folder for scores.csv and the heatmap overlays", Required = true };
        var perImage = new Option<bool>("--per-image-scale") { Description = "Scale each heatmap to its own min-max (default: one scale for all images)" };
        var command = new Command("predict", "Score images and write heatmap overlays") { checkpoint, input, output, perImage, CliOptions.Device };
        CliAction.Set(command, (p, cancel) =>
        {
            var images = ImagesAt(p.GetValue(input)!);
            var device = DeviceSelector.Resolve(p.GetValue(CliOptions.Device));
            var samples = images.Select(path => new AnomalySample(Path.GetFileName(path), path, "predict", Split.Test, false, "unknown", null)).ToList();
            var (upsampled, scores, rule) = MemoryBank.IsMemoryBank(p.GetValue(checkpoint)!)
                ? PatchCoreScores(p.GetValue(checkpoint)!, samples, device, cancel)
                : UniadScores(p.GetValue(checkpoint)!, samples, device, cancel);
            using var _ = upsampled;

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
            AnsiConsole.MarkupLineInterpolated($"image score: {rule}; heatmap scale {(p.GetValue(perImage) ? "per image" : $"{globalLow:G4}..{globalHigh:G4} for all images")}");
            return 0;
        });
        return command;
    }

    /// <summary>A UniAD checkpoint's input-size maps of the images, their image scores and the rule that gave them.</summary>
    private static (Tensor Maps, float[] Scores, string Rule) UniadScores(string path, List<AnomalySample> samples, Device device, CancellationToken cancel)
    {
        var trained = Checkpoint.Load(path);
        var config = trained.Config;
        using var extractor = new FeatureExtractor(config.Backbone, device);
        using var model = trained.CreateModel(device);
        using var features = extractor.Extract(samples, config.Training.BatchSize, half: false, cancel: cancel);
        using var maps = Evaluator.AnomalyMaps(model, features, config.Training.BatchSize, device);
        var upsampled = UniadModel.UpsampleMap(maps, extractor.InputHeight, extractor.InputWidth);
        var e = config.Evaluation;
        return (upsampled, ImageScore.Compute(upsampled, e.ImageScore, e.AvgPoolKernel).data<float>().ToArray(), ImageScore.Describe(e.ImageScore, e.AvgPoolKernel));
    }

    /// <summary>The same from a PatchCore run's memory bank.</summary>
    private static (Tensor Maps, float[] Scores, string Rule) PatchCoreScores(string path, List<AnomalySample> samples, Device device, CancellationToken cancel)
    {
        using var bank = MemoryBank.Load(path);
        var config = bank.Config;
        using var extractor = new FeatureExtractor(config.Backbone, device, config.Patchcore);
        if (extractor.Fingerprint != bank.State.FeatureFingerprint)
            throw new ConflictException("the memory bank was built from features of another backbone or weights file");
        using var features = extractor.Extract(samples, config.Training.BatchSize, half: false, cancel: cancel);
        using var scorer = new PatchCoreScorer(bank, device);
        var scores = scorer.Score(features, config.Training.BatchSize, cancel: cancel);
        return (scores.Maps, scores.Of(config.Patchcore.ImageScore), PatchCoreScorer.Describe(config.Patchcore));
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
