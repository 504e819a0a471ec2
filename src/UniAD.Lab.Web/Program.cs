using UniAD.Lab.Web;
using UniAD.Lab.Web.Extensions;

var builder = WebApplication.CreateBuilder(args);
string? command = args.FirstOrDefault() is CreateAdminCommand.Name or MoveToPostgresCommand.Name ? args[0] : null;
try { builder.AddLab(jobServers: command is null); }
catch (UniAD.Core.ConfigException refused)
{
    await Console.Error.WriteLineAsync($"uniad lab: {refused.Message}");
    return 1;
}
if (command is not null) builder.Logging.SetMinimumLevel(LogLevel.Warning);    // a command's own lines, not the lab's log

var app = builder.Build();
if (command == CreateAdminCommand.Name) return await CreateAdminCommand.RunAsync(app, args);
if (command == MoveToPostgresCommand.Name) return await MoveToPostgresCommand.RunAsync(app, args);
await app.PrepareLabAsync();
if (await app.StartLabAsync()) await app.WaitForShutdownAsync();
return Environment.ExitCode;
