using System.CommandLine;
using Spectre.Console;
using UniAD.Core.Data;
using UniAD.Core.Training;
using UniAD.Datasets;

namespace UniAD.Cli.Commands;

/// <summary><c>uniad dataset import | validate | list | verify | export-jsonl</c>: the dataset store from the command line.</summary>
internal static class DatasetCommand
{
    private static readonly Option<string> Store = new("--store") { Description = "Dataset store folder", DefaultValueFactory = _ => Path.Combine("data", "datasets") };
    private static readonly Option<string?> Layout = new("--layout") { Description = "mvtec, uniad-jsonl, class-folder or visa (default: detected)" };
    private static readonly Option<double> MaxZipGib = new("--max-unpacked-gib") { Description = "Refuse zips that unpack to more than this", DefaultValueFactory = _ => 64 };

    public static Command Create() => new("dataset", "Import, validate, list and verify stored dataset versions")
    {
        Import(), Validate(), List(), Verify(), ExportJsonl(),
    };

    private static Argument<string> Source() => new("source") { Description = "A dataset folder or a .zip of one" };
    private static Argument<string> VersionFolder() => new("version") { Description = "A stored version folder: <store>/<name>/<version>" };

    private static Command Import()
    {
        var source = Source();
        var name = new Option<string>("--name") { Description = "Name to store it under (letters, digits, . _ -)", Required = true };
        var command = new Command("import", "Copy (or safely unzip), validate and store a dataset as an immutable version; nothing is stored when the report has errors")
        {
            source, name, Store, Layout, CliOptions.NormalClasses, MaxZipGib,
        };
        CliAction.Set(command, (p, cancel) =>
        {
            var store = new DatasetStore(p.GetValue(Store)!);
            var (version, report) = WithProgress(progress => store.Import(Request(p, source, p.GetValue(name)!), progress, cancel));
            ValidationView.Print(report);
            if (version is null)
            {
                var errors = report.Errors.ToList();
                Console.Error.WriteLine($"error: not imported: {errors[0].Line}{(errors.Count > 1 ? $" (and {errors.Count - 1} more above)" : "")}");
                return 1;
            }
            AnsiConsole.MarkupLineInterpolated($"stored [bold]{version.Manifest.Name}@{version.Manifest.ShortVersion}[/] in {version.Folder}");
            return 0;
        });
        return command;
    }

    private static Command Validate()
    {
        var source = Source();
        var json = new Option<bool>("--json") { Description = "Print the report as JSON" };
        var command = new Command("validate", "Check a dataset and print the validation report without storing anything (exit 1 when it has errors)")
        {
            source, Layout, CliOptions.NormalClasses, MaxZipGib, json,
        };
        CliAction.Set(command, (p, cancel) =>
        {
            var report = WithProgress(progress => Report(Request(p, source, "validation"), progress, cancel));
            if (p.GetValue(json)) Console.WriteLine(report.ToJson());
            else ValidationView.Print(report);
            return report.HasErrors ? 1 : 0;
        });
        return command;
    }

    private static Command List()
    {
        var command = new Command("list", "List the stored dataset versions") { Store };
        CliAction.Set(command, (p, _) =>
        {
            var table = new Table().Border(TableBorder.Rounded).AddColumns("name", "version", "layout", "categories", "files", "size", "created", "by", "folder");
            foreach (var v in new DatasetStore(p.GetValue(Store)!).List())
            {
                var m = v.Manifest;
                table.AddRow(Markup.Escape(m.Name), m.ShortVersion, m.Layout, $"{v.Report.Categories.Count}", $"{m.FileCount}",
                    $"{m.TotalBytes / 1048576.0:F1} MiB", $"{m.CreatedAt:yyyy-MM-dd HH:mm}", Markup.Escape(m.CreatedBy), Markup.Escape(v.Folder));
            }
            AnsiConsole.Write(table);
            return 0;
        });
        return command;
    }

    private static Command Verify()
    {
        var folder = VersionFolder();
        var command = new Command("verify", "Re-hash every file of a stored version and compare with its checksums") { folder };
        CliAction.Set(command, (p, cancel) =>
        {
            var version = DatasetVersion.Open(p.GetValue(folder)!);
            WithProgress(progress => { version.VerifyFull(progress, cancel); return 0; });
            AnsiConsole.MarkupLineInterpolated($"{version.Manifest.Name}@{version.Manifest.ShortVersion}: all {version.Manifest.FileCount} files match");
            return 0;
        });
        return command;
    }

    private static Command ExportJsonl()
    {
        var folder = VersionFolder();
        var output = new Option<string>("--out") { Description = "Folder for train.jsonl and test.jsonl (paths relative to the version's files/)", Required = true };
        var command = new Command("export-jsonl", "Write UniAD's train.jsonl / test.jsonl metadata for a stored version") { folder, output, CliOptions.NormalClasses };
        CliAction.Set(command, (p, _) =>
        {
            DatasetVersion.Open(p.GetValue(folder)!).ExportJsonl(p.GetValue(output)!, CliOptions.ClassFolder(p));
            AnsiConsole.MarkupLineInterpolated($"wrote train.jsonl and test.jsonl to {Path.GetFullPath(p.GetValue(output)!)}");
            return 0;
        });
        return command;
    }

    /// <summary>A folder is validated where it lies; a zip is unpacked into a scratch store that is deleted after.</summary>
    private static ValidationReport Report(ImportRequest request, IProgress<ImportProgress>? progress, CancellationToken cancel)
    {
        if (Directory.Exists(request.Source)) return DatasetStore.ValidateInPlace(request, progress, cancel);
        var scratch = new DatasetStore(Directory.CreateTempSubdirectory("uniad-validate-").FullName);
        try
        {
            using var staged = scratch.Stage(request, progress, cancel);
            return staged.Report;
        }
        finally { Directory.Delete(scratch.Root, recursive: true); }
    }

    private static ImportRequest Request(ParseResult p, Argument<string> source, string name) => new(
        p.GetValue(source)!, name,
        p.GetValue(Layout) is string layout ? DatasetLayouts.Parse(layout) : null,
        CliOptions.ClassFolder(p)?.NormalClasses,
        Environment.UserName,
        new ZipLimits { MaxTotalBytes = (long)(p.GetValue(MaxZipGib) * (1L << 30)) });

    /// <summary>Runs an import step with a progress bar on a terminal (stages: copying, extracting, hashing, validating).</summary>
    private static T WithProgress<T>(Func<IProgress<ImportProgress>?, T> run)
    {
        if (!AnsiConsole.Profile.Capabilities.Interactive) return run(null);
        T result = default!;
        AnsiConsole.Progress().Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn())
            .Start(ctx =>
            {
                var tasks = new Dictionary<string, ProgressTask>();
                result = run(new SynchronousProgress<ImportProgress>(p =>
                {
                    if (!tasks.TryGetValue(p.Stage, out var task)) tasks[p.Stage] = task = ctx.AddTask(p.Stage, maxValue: Math.Max(1, p.Total));
                    task.Value = p.Done;
                }));
            });
        return result;
    }
}
