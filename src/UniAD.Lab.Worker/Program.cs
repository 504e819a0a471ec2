using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using UniAD.Core.Configuration;
using UniAD.Lab;

// A training worker: takes runs from the team's queue (Lab:Worker:Queues, default "training") on the lab's PostgreSQL
// database and trains them on this machine's device(s) into the shared data root (README, "Team deployment").
var builder = Host.CreateApplicationBuilder(args);
var options = builder.Configuration.GetSection(LabOptions.Section).Get<LabOptions>() ?? new LabOptions();
if (options.Database.Kind != DatabaseProvider.Postgres)
{
    Console.Error.WriteLine("uniad worker: a worker trains from the team's PostgreSQL database (Lab:Database:Provider=Postgres and " +
        "Lab:Database:ConnectionString); on one machine with SQLite the lab trains runs itself");
    return 1;
}
builder.Services.AddLab(builder.Configuration).AddLabJobStorage(builder.Configuration)
    .AddLabTraining(options.Worker.ServedQueues, DeviceSelector.GpuCount(options.Device));

var host = builder.Build();
await host.Services.GetRequiredService<LabInitializer>().InitializeAsync();   // the schema, and runs a gone worker left behind
await host.RunAsync();
return 0;
