using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using UniAD.Core;
using UniAD.Lab.Persistence;
using UniAD.Lab.Runs;

namespace UniAD.Lab.Web;

/// <summary><c>UniAD.Lab.Web move-to-postgres</c>, the target's connection string on standard input (so its password is
/// in no command line): moves the lab's SQLite database, with the lab's own settings, into an empty PostgreSQL database
/// and compares the two row by row (<see cref="DatabaseMove"/>); queued runs are queued again on the new database's job
/// queue. The SQLite file is left as it was. Run it with the lab stopped. Exit code 0 when moved and identical, 1 when
/// refused or different, 2 for a wrong command line.</summary>
public static class MoveToPostgresCommand
{
    public const string Name = "move-to-postgres";

    public static async Task<int> RunAsync(WebApplication app, string[] args)
    {
        var connection = args.Length == 1 ? (await Console.In.ReadLineAsync() ?? "").Trim() : "";
        if (connection.Length == 0)
        {
            await Console.Error.WriteLineAsync($"usage: {Name}   (the PostgreSQL connection string on standard input, e.g. Host=db;Database=uniad;Username=uniad;Password=...)");
            return 2;
        }
        if (app.Services.GetRequiredService<IOptions<LabOptions>>().Value.Database.Kind != DatabaseProvider.Sqlite)
            return await RefuseAsync("the lab's database is not SQLite (Lab:Database:Provider): there is nothing to move");
        await app.Services.GetRequiredService<LabInitializer>().InitializeAsync();    // the current schema; runs left training become resumable
        var target = new ConfigurationBuilder().AddConfiguration(app.Configuration).AddInMemoryCollection(new Dictionary<string, string?>
        {
            [$"{LabOptions.Section}:Database:Provider"] = nameof(DatabaseProvider.Postgres),
            [$"{LabOptions.Section}:Database:ConnectionString"] = connection,
        }).Build();
        await using var targetLab = new ServiceCollection().AddLogging().AddLab(target)
            .AddLabJobClient(target.GetSection(LabOptions.Section).Get<LabOptions>()!).BuildServiceProvider();
        try
        {
            Console.WriteLine("Moving the lab's tables:");
            var report = await DatabaseMove.MoveAsync(app.Services.GetRequiredService<IDbContextFactory<LabDbContext>>(),
                targetLab.GetRequiredService<IDbContextFactory<LabDbContext>>(), line => Console.WriteLine($"  {line}"));
            if (!report.Identical)
                return await RefuseAsync($"the moved rows differ from the lab's ({report.Tables.Sum(t => t.Differing)} rows); the first: " +
                    string.Join(" | ", report.Differences) + ". Keep using the SQLite lab, and move into a new, empty database again");
            int requeued = await targetLab.GetRequiredService<RunLauncher>().RequeueQueuedAsync();
            Console.WriteLine($"Moved {report.Rows:N0} rows in {report.Tables.Count} tables and compared them row by row: identical. " +
                $"{requeued} queued runs are on the new database's queue.");
            Console.WriteLine("Start the lab on it with Lab__Database__Provider=Postgres and Lab__Database__ConnectionString set to the same " +
                "connection string (README, \"Team deployment\"); the SQLite file is as it was.");
            return 0;
        }
        catch (UserException e)
        {
            return await RefuseAsync(UserErrors.OneLine(e));
        }
        catch (DbException e)
        {
            return await RefuseAsync($"the PostgreSQL database: {e.Message}");
        }
    }

    private static async Task<int> RefuseAsync(string why)
    {
        await Console.Error.WriteLineAsync($"uniad lab: {why}");
        return 1;
    }
}
