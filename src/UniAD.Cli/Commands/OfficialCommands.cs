using System.CommandLine;
using UniAD.Core.Configuration;
using UniAD.Core.Interop;

namespace UniAD.Cli.Commands;

/// <summary><c>import-official</c> and <c>export-official</c>: runs to and from the official UniAD code (docs/model.md section 6).</summary>
internal static class OfficialCommands
{
    public static Command Import()
    {
        var checkpoint = new Argument<string>("checkpoint") { Description = "ckpt.pth.tar written by the official tools/train_val.py" };
        var yaml = new Option<string>("--config") { Description = "The official config.yaml the checkpoint was trained with", Required = true };
        var data = CliOptions.Data();
        var output = new Option<string>("--out") { Description = "Run folder to create", Required = true };
        var saveBackbone = new Option<string?>("--save-backbone")
        {
            Description = "Also keep the checkpoint's EfficientNet-B4 ImageNet weights here, for later runs (backbone.weights_path)",
        };
        var command = new Command("import-official", "Evaluate an official UniAD checkpoint on a dataset and record it as a finished run")
        {
            checkpoint, yaml, data, CliOptions.TrainMeta, CliOptions.TestMeta, CliOptions.Categories, output, saveBackbone,
            CliOptions.Device, CliOptions.Cache,
        };
        CliAction.Set(command, (p, cancel) =>
        {
            var request = new OfficialImportRequest(p.GetValue(checkpoint)!, p.GetValue(yaml)!, CliOptions.Dataset(p, data), p.GetValue(output)!,
                DeviceSelector.Resolve(p.GetValue(CliOptions.Device)), p.GetValue(CliOptions.Cache), p.GetValue(saveBackbone));
            var result = RunProgress.Show(hooks => OfficialRun.Import(request, hooks, cancel));
            ResultsTable.Print(result.Report);
            var provenance = result.Provenance;
            Console.WriteLine($"imported {provenance.FileName} (sha256 {provenance.Sha256}, epoch {provenance.Epoch}) from {provenance.Source} into {request.OutputDirectory}");
            Console.WriteLine($"its EfficientNet-B4 ImageNet weights: {provenance.BackboneWeights}");
            return 0;
        });
        return command;
    }

    public static Command Export()
    {
        var run = new Argument<string>("run") { Description = "Folder of a trained run (it holds checkpoint.uniad)" };
        var output = new Option<string>("--out") { Description = "Folder for ckpt.pth.tar and config.yaml", Required = true };
        var command = new Command("export-official", "Write a run as the official code's ckpt.pth.tar and config.yaml") { run, output };
        CliAction.Set(command, (p, _) =>
        {
            OfficialRun.Export(p.GetValue(run)!, p.GetValue(output)!);
            Console.WriteLine($"wrote {Path.Combine(p.GetValue(output)!, OfficialRun.ExportCheckpointFile)} and {OfficialRun.ExportConfigFile}: " +
                              "the official code loads them with saver.load_path (or --evaluate); point the YAML's dataset paths at your data");
            return 0;
        });
        return command;
    }
}
