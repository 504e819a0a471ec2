using System.CommandLine;
using UniAD.Cli;
using UniAD.Cli.Commands;

var root = new RootCommand("UniAD: one unified model for multi-class anomaly detection (You et al., NeurIPS 2022)")
{
    TrainCommand.Create(),
    EvalCommand.Create(),
    PredictCommand.Create(),
    InfoCommand.Create(),
    DemoCommand.Create(),
    BenchCommand.Create(),
};
return await root.Parse(args).InvokeAsync();
