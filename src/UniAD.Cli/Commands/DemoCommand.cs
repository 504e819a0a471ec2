using System.CommandLine;
using Spectre.Console;
using UniAD.Core.Data.Demo;

namespace UniAD.Cli.Commands;

internal static class DemoCommand
{
    public static Command Create()
    {
        var output = new Option<string>("--out") { Description = "Folder to write the MVTec-layout dataset to", Required = true };
        var size = new Option<int>("--image-size") { Description = "Image side in pixels", DefaultValueFactory = _ => 256 };
        var train = new Option<int>("--train") { Description = "Training images per category", DefaultValueFactory = _ => 40 };
        var good = new Option<int>("--test-good") { Description = "Normal test images per category", DefaultValueFactory = _ => 10 };
        var defects = new Option<int>("--test-defect") { Description = "Test images per defect type", DefaultValueFactory = _ => 5 };
        var seed = new Option<int>("--seed") { Description = "Random seed", DefaultValueFactory = _ => 0 };
        var categories = new Option<string[]>("--categories") { Description = $"Subset of {string.Join(", ", DemoDataset.CategoryNames)}", AllowMultipleArgumentsPerToken = true };
        var command = new Command("demo-data", "Generate the demo dataset (industrial textures and objects with pixel-exact defect masks)")
        {
            output, size, train, good, defects, seed, categories,
        };
        CliAction.Set(command, (p, _) =>
        {
            var cats = p.GetValue(categories);
            DemoDataset.Generate(p.GetValue(output)!, new DemoDatasetOptions
            {
                ImageSize = p.GetValue(size), TrainPerCategory = p.GetValue(train), TestGoodPerCategory = p.GetValue(good),
                TestPerDefect = p.GetValue(defects), Seed = p.GetValue(seed), Categories = cats is { Length: > 0 } ? cats : null,
            });
            AnsiConsole.MarkupLineInterpolated($"demo dataset written to [bold]{Path.GetFullPath(p.GetValue(output)!)}[/]");
            return 0;
        });
        return command;
    }
}
