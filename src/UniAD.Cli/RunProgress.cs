using Spectre.Console;
using UniAD.Core.PatchCore;
using UniAD.Core.Training;

namespace UniAD.Cli;

/// <summary>Shows feature extraction and training progress: live bars on a terminal, one line per epoch
/// (and per 25% of feature extraction) when the output is redirected to a log.</summary>
internal static class RunProgress
{
    public static T Show<T>(Func<ExperimentHooks, T> run)
    {
        if (!AnsiConsole.Profile.Capabilities.Interactive) return run(PlainHooks());
        T result = default!;
        AnsiConsole.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .Start(ctx =>
            {
                var tasks = new Dictionary<string, ProgressTask>();
                ProgressTask Task(string name, double max)
                {
                    if (!tasks.TryGetValue(name, out var task)) tasks[name] = task = ctx.AddTask(name, maxValue: max);
                    return task;
                }
                result = run(new ExperimentHooks(
                    ImagesProcessed: (stage, done, total) => Task($"features ({stage})", total).Value = done,
                    Training: new SynchronousProgress<TrainingProgress>(p =>
                    {
                        var task = Task("training", (double)p.Epochs * p.StepsPerEpoch);
                        task.Value = (double)(p.Epoch - 1) * p.StepsPerEpoch + p.Step;
                        task.Description = $"epoch {p.Epoch}/{p.Epochs} loss {p.Loss:F4} lr {p.LearningRate:G2} {p.ImagesPerSecond:F1} img/s";
                    }),
                    TestEvaluated: e => Task("test", 1).Description = Describe(e),
                    Warning: Warn,
                    StageProgress: (stage, done, total) => Task(StageName(stage), total).Value = done));
            });
        return result;
    }

    private static ExperimentHooks PlainHooks() => new(
        ImagesProcessed: (stage, done, total) =>
        {
            if (done == total || done * 4 / total != (done - 1) * 4 / total)
                Console.WriteLine($"features ({stage}): {done}/{total} images");
        },
        Training: new SynchronousProgress<TrainingProgress>(p =>
        {
            if (p.Step == p.StepsPerEpoch)
                Console.WriteLine($"epoch {p.Epoch}/{p.Epochs}  loss {p.Loss:F5}  lr {p.LearningRate:G3}  " +
                                  $"{p.ImagesPerSecond:F1} img/s  elapsed {p.Elapsed:hh\\:mm\\:ss}  eta {p.Remaining:hh\\:mm\\:ss}");
        }),
        TestEvaluated: e => Console.WriteLine(Describe(e)),
        Warning: Warn,
        StageProgress: (stage, done, total) =>
        {
            if (done == total || done * 4L / total != (done - 1) * 4L / total) Console.WriteLine($"{StageName(stage)}: {done}/{total}");
        });

    private static string StageName(string stage) => stage == PatchCoreRun.CoresetStage ? "coreset (patches picked)" : "scoring (test images)";

    private static void Warn(string warning) => Console.Error.WriteLine($"warning: {warning}");

    public static string Describe(TestEvaluation e) =>
        $"test after epoch {e.Epoch}: image AUROC {ResultsTable.Percent(e.Mean.ImageAuroc)}, pixel AUROC {ResultsTable.Percent(e.Mean.PixelAuroc)}" +
        (e.PassThrough is double p ? FormattableString.Invariant($", identity pass-through {p:F3}") : "");
}
