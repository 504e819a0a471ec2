using UniAD.Lab.Web;
using UniAD.Lab.Web.Extensions;

var builder = WebApplication.CreateBuilder(args);
builder.AddLab(jobServers: !CreateAdminCommand.IsRequested(args));

var app = builder.Build();
if (CreateAdminCommand.IsRequested(args)) return await CreateAdminCommand.RunAsync(app, args);
await app.PrepareLabAsync();
if (await app.StartLabAsync()) await app.WaitForShutdownAsync();
return Environment.ExitCode;
