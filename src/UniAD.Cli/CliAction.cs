using System.CommandLine;
using Spectre.Console;
using UniAD.Core;

namespace UniAD.Cli;

/// <summary>Runs a command body and turns the errors a user can cause into one clear line (exit 1) instead of
/// a stack trace; Ctrl+C ends the run between batches (exit 130). Besides the user errors every front end knows, a file
/// system error is said in one line too: on the command line every path is one the user named.</summary>
internal static class CliAction
{
    public static void Set(Command command, Func<ParseResult, CancellationToken, int> body) =>
        command.SetAction((parse, cancel) => Task.Run(() =>
        {
            try { return body(parse, cancel); }
            catch (OperationCanceledException)
            {
                AnsiConsole.MarkupLine("[yellow]cancelled[/]");
                return 130;
            }
            catch (Exception e) when (UserErrors.Are(e) || e is IOException or UnauthorizedAccessException)
            {
                Console.Error.WriteLine($"error: {UserErrors.OneLine(e)}");
                return 1;
            }
        }, CancellationToken.None));
}
