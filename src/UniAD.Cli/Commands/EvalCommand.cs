using System.CommandLine;
using System.CommandLine.Parsing;
using UniAD.Core;
using UniAD.Core.Data;
using UniAD.Core.Configuration;
using UniAD.Core.Features;
using UniAD.Core.PatchCore;
using UniAD.Core.Training;

namespace UniAD.Cli.Commands;

internal static class EvalCommand
{
    public static Command Create()
    {
        var data = CliOptions.Data();
        var checkpoint = new Option<string>("--checkpoint") { Description = "checkpoint.uniad of a UniAD run, or memory_bank.patchcore of a PatchCore run", Required = true };
        var output = new Option<string?>("--out") { Description = "Where to write results (default: the checkpoint's folder)" };
        var imageScore = new Option<ImageScoreKind?>("--image-score") { Description = "max-avg-pool, mean or std (default: the run's)", CustomParser = ParseImageScore };
        var command = new Command("eval", "Evaluate a trained model on a dataset's test images")
        {
            data, CliOptions.TrainMeta, CliOptions.TestMeta, CliOptions.Categories,
            CliOptions.NormalClasses, CliOptions.TrainPerClass, CliOptions.TestPerClass, checkpoint, output, imageScore,
            CliOptions.Device, CliOptions.Cache,
        };
        CliAction.Set(command, (p, cancel) =>
        {
            if (MemoryBank.IsMemoryBank(p.GetValue(checkpoint)!)) return EvaluatePatchCore(p, data, checkpoint, output, imageScore, cancel);
            var trained = Checkpoint.Load(p.GetValue(checkpoint)!);
            var config = trained.Config;
            if (p.GetValue(imageScore) is ImageScoreKind kind) config = config with { Evaluation = config.Evaluation with { ImageScore = kind } };
            var dataset = CliOptions.Dataset(p, data);
            if (dataset.Test.Count == 0) throw new DatasetException("the dataset has no test images");
            var device = DeviceSelector.Resolve(p.GetValue(CliOptions.Device));
            var outDir = new RunFolder(p.GetValue(output) ?? Path.GetDirectoryName(Path.GetFullPath(p.GetValue(checkpoint)!))!);
            Directory.CreateDirectory(outDir.Folder);

            using var extractor = new FeatureExtractor(config.Backbone, device);
            if (extractor.Fingerprint != trained.State.FeatureFingerprint)
                throw new ConflictException("the checkpoint was trained on features of another backbone or weights file");
            using var model = trained.CreateModel(device);
            var (report, evaluation) = RunProgress.Show(hooks =>
            {
                using var testing = new TestSetEvaluation(extractor, outDir.FeatureCache(p.GetValue(CliOptions.Cache)), dataset, config, outDir,
                    device, hooks, cancel);
                return testing.EvaluateAndSave(model, trained.State.CompletedEpochs);
            });
            ResultsTable.Print(report);
            if (evaluation.PassThrough is double share)
                Console.WriteLine($"identity pass-through {share:F3}: how much of a change to one token of a normal test image the model copies " +
                                  "into its reconstruction (1 = copies its input, the paper's identical shortcut; 0 = ignores it)");
            return 0;
        });
        return command;
    }

    /// <summary>A PatchCore run's memory bank scored on the dataset's test images; its results hold both of its image scores.</summary>
    private static int EvaluatePatchCore(ParseResult p, Option<string> data, Option<string> checkpoint, Option<string?> output,
        Option<ImageScoreKind?> imageScore, CancellationToken cancel)
    {
        if (p.GetValue(imageScore) is not null)
            throw new ConfigException("--image-score chooses among UniAD's map scores; a PatchCore run's results hold both of its image scores " +
                $"({RunFolder.ImageScoresFile}) and report patchcore.image_score");
        using var bank = MemoryBank.Load(p.GetValue(checkpoint)!);
        var dataset = CliOptions.Dataset(p, data);
        if (dataset.Test.Count == 0) throw new DatasetException("the dataset has no test images");
        var device = DeviceSelector.Resolve(p.GetValue(CliOptions.Device));
        var outDir = new RunFolder(p.GetValue(output) ?? Path.GetDirectoryName(Path.GetFullPath(p.GetValue(checkpoint)!))!);
        Directory.CreateDirectory(outDir.Folder);
        using var extractor = new FeatureExtractor(bank.Config.Backbone, device, bank.Config.Patchcore);
        var report = RunProgress.Show(hooks => PatchCoreRun.EvaluateAndSave(bank, extractor, outDir.FeatureCache(p.GetValue(CliOptions.Cache)),
            dataset, outDir, device, hooks, cancel));
        ResultsTable.Print(report);
        return 0;
    }

    private static ImageScoreKind? ParseImageScore(ArgumentResult result)
    {
        var text = result.Tokens[0].Value;
        if (Enum.TryParse<ImageScoreKind>(text.Replace("-", ""), ignoreCase: true, out var kind) && Enum.IsDefined(kind)) return kind;
        result.AddError($"unknown image score '{text}': choose from max-avg-pool, mean or std");
        return null;
    }
}
