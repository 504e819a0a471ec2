using UniAD.Lab;
using UniAD.Lab.Web.Api;
using UniAD.Lab.Web.Extensions;

var builder = WebApplication.CreateBuilder(args);
builder.AddLabServices();
builder.AddLabJobs();
builder.AddLabAuth();
builder.AddLabApi();
builder.AddLabUi();

var app = builder.Build();
await app.Services.GetRequiredService<LabInitializer>().InitializeAsync();
app.UseLab();
if (await app.StartLabAsync()) await app.WaitForShutdownAsync();
