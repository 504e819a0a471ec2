using System.CommandLine;
using Spectre.Console;
using UniAD.Core.Configuration;
using UniAD.Core.Training;

namespace UniAD.Cli.Commands;

internal static class TrainCommand
{
    public static Command Create()
    {
        var data = CliOptions.Data();
        var output = new Option<string>("--out") { Description = "Run folder (checkpoint, results, anomaly maps)", Required = true };
        var resume = new Option<bool>("--resume") { Description = "Continue the run in --out from its last checkpoint" };
        var command = new Command("train", "Train one unified model (UniAD, or PatchCore's memory bank) on all (or the chosen) categories, then evaluate it")
        {
            data, CliOptions.TrainMeta, CliOptions.TestMeta, CliOptions.Categories,
            CliOptions.NormalClasses, CliOptions.TrainPerClass, CliOptions.TestPerClass, output, resume,
            CliOptions.Method, CliOptions.Preset, CliOptions.ConfigFile, CliOptions.Ablation, CliOptions.Epochs, CliOptions.BatchSize, CliOptions.Seed, CliOptions.Set,
            CliOptions.Device, CliOptions.Cache,
        };
        CliAction.Set(command, (p, cancel) =>
        {
            // A resumed run goes on with its own config; options given besides --epochs must agree with it. Checked first,
            // before any feature is extracted.
            var folder = new RunFolder(p.GetValue(output)!);
            var config = p.GetValue(resume) && folder.HoldsRun
                ? Experiment.ResumeConfig(folder, CliOptions.GaveConfig(p) ? CliOptions.Config(p) : null, p.GetValue(CliOptions.Epochs))
                : CliOptions.Config(p);
            var dataset = CliOptions.Dataset(p, data);
            var device = DeviceSelector.Resolve(p.GetValue(CliOptions.Device));
            AnsiConsole.MarkupLineInterpolated(
                $"[bold]{dataset.Categories.Count}[/] categories, {dataset.Train.Count} train / {dataset.Test.Count} test images; device [bold]{device.type}[/]");
            var request = new ExperimentRequest(config, dataset, p.GetValue(output)!, device,
                p.GetValue(CliOptions.Cache), Resume: p.GetValue(resume));
            var result = RunProgress.Show(hooks => Experiment.Run(request, hooks, cancel));
            if (result.Report is not null) ResultsTable.Print(result.Report);
            ResultsTable.PrintBestOnTest(result.Evaluations);
            AnsiConsole.MarkupLineInterpolated($"results in [bold]{Path.GetFullPath(request.OutputDirectory)}[/]");
            return 0;
        });
        return command;
    }
}
