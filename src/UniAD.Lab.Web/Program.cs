using UniAD.Lab;
using UniAD.Lab.Web.Api;
using UniAD.Lab.Web.Extensions;

var builder = WebApplication.CreateBuilder(args);
builder.AddLabServices();
builder.AddLabJobs();
builder.AddLabApi();
builder.AddLabUi();

var app = builder.Build();
await app.Services.GetRequiredService<LabInitializer>().InitializeAsync();
app.UseLab();
app.Run();
