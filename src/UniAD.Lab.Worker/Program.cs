using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using UniAD.Core.Configuration;
using UniAD.Lab;
using UniAD.Lab.Worker;

// A training worker: takes runs from the team's queue (Lab:Worker:Queues, default "training") on the lab's PostgreSQL
// database and trains them on this machine's device(s) into the shared data root (README, "Team deployment"). With
// several GPUs it starts one worker process per GPU instead (WorkerProcesses); each trains one run at a time.
var builder = Host.CreateApplicationBuilder(args);
var options = builder.Configuration.GetSection(LabOptions.Section).Get<LabOptions>() ?? new LabOptions();
if (options.Database.Kind != DatabaseProvider.Postgres)
{
    Console.Error.WriteLine("uniad worker: a worker trains from the team's PostgreSQL database (Lab:Database:Provider=Postgres and " +
        "Lab:Database:ConnectionString); on one machine with SQLite the lab trains runs itself");
    return 1;
}
int gpus = DeviceSelector.GpuCount(options.Device);
int processes = options.Worker.Processes ?? gpus;
if (processes < 1)
{
    Console.Error.WriteLine($"uniad worker: Lab:Worker:Processes is {processes}; a worker starts at least 1 (absent: one per GPU it sees)");
    return 1;
}
if (processes > 1 && options.Worker.ParentProcessId is null)
    return await WorkerProcesses.SuperviseAsync(processes, gpus > 1 ? WorkerProcesses.VisibleGpus(gpus) : [], args);

builder.Services.AddLab(builder.Configuration).AddLabJobStorage(builder.Configuration).AddLabTraining(options.Worker.ServedQueues, workers: 1);
if (options.Worker.ParentProcessId is int parent)
    builder.Services.AddHostedService(services => new ParentWatch(parent, services.GetRequiredService<IHostApplicationLifetime>(),
        services.GetRequiredService<ILogger<ParentWatch>>()));

var host = builder.Build();
await host.Services.GetRequiredService<LabInitializer>().InitializeAsync();   // the schema, and runs a gone worker left behind
await host.RunAsync();
return 0;
