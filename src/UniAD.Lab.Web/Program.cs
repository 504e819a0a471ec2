using UniAD.Lab;
using UniAD.Lab.Web.Extensions;

var builder = WebApplication.CreateBuilder(args);
builder.AddLabServices();
builder.AddLabJobs();
builder.AddLabUi();

var app = builder.Build();
await app.Services.GetRequiredService<LabInitializer>().InitializeAsync();
app.UseLab();
app.Run();
