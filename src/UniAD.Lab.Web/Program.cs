using UniAD.Lab.Web.Extensions;

var builder = WebApplication.CreateBuilder(args);
builder.AddLab();

var app = builder.Build();
await app.PrepareLabAsync();
if (await app.StartLabAsync()) await app.WaitForShutdownAsync();
