using System.CommandLine;
using Spectre.Console;
using UniAD.Cli;
using UniAD.Cli.Commands;

var root = new RootCommand("UniAD: one unified model for multi-class anomaly detection (You et al., NeurIPS 2022)")
{
    TrainCommand.Create(),
    EvalCommand.Create(),
    PredictCommand.Create(),
    InfoCommand.Create(),
    DemoCommand.Create(),
    DatasetCommand.Create(),
    BenchCommand.Create(),
    OfficialCommands.Import(),
    OfficialCommands.Export(),
};
// Spectre wraps at 80 columns when it cannot see a terminal; logs read better unwrapped.
if (Console.IsOutputRedirected) AnsiConsole.Profile.Width = 200;
return await root.Parse(args).InvokeAsync();
