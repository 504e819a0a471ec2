using System.Text.Json.Nodes;
using Hangfire;
using Hangfire.States;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using UniAD.Core;
using UniAD.Lab.Accounts;
using UniAD.Lab.Persistence;
using UniAD.Lab.Runs;
using UniAD.Lab.Workers;

namespace UniAD.Lab.Tests;

/// <summary>What a worker does with a run it should not take: drained by an admin, or unable to honour the run (a config
/// key its code does not know, a device it lacks). The run is passed on with a new job, never failed nor trained.</summary>
public abstract class WorkerTests(DatabaseProvider database)
{
    [Collection(TorchRng.Name)] public sealed class OnSqlite() : WorkerTests(DatabaseProvider.Sqlite);
    [Collection(TorchRng.Name)] public sealed class OnPostgres() : WorkerTests(DatabaseProvider.Postgres);

    [Fact]
    public async Task ADrainedWorkerPassesQueuedRunsOnUntilTheDrainIsLifted()
    {
        using var lab = new Lab(database);
        int id = (await lab.QueueAsync(await lab.ImportTinyAsync(), TinyDataset.Config(epochs: 1), [1], "drained"))[0];
        var registry = lab.Get<WorkerRegistry>();
        await registry.RegisterAsync([Queues.Training]);
        var viewer = new LabActor("someone", LabRole.Viewer);
        await Assert.ThrowsAsync<ForbiddenException>(() => registry.SetDrainingAsync(WorkerRegistry.ThisProcess, true, viewer));
        await Assert.ThrowsAsync<NotFoundException>(() => registry.SetDrainingAsync("nowhere:1", true, LabActor.Laptop));

        await registry.SetDrainingAsync(WorkerRegistry.ThisProcess, true, LabActor.Laptop);
        Assert.Equal("draining", (await registry.ListAsync()).Single(w => w.Name == WorkerRegistry.ThisProcess).State);
        Assert.DoesNotContain(Queues.Training, (await registry.QueuesAsync()).Live);       // the New run form warns: nobody takes it
        string firstJob = (await JobOf(lab, id))!;
        lab.Job().Run(id, CancellationToken.None);

        var passed = (await lab.Queries.GetAsync(id))!;
        Assert.Equal(RunStatus.Queued, passed.Status);
        Assert.Empty(passed.TrainedOn);
        AssertEnqueuedAgain(lab, firstJob, passed.JobId);

        await registry.SetDrainingAsync(WorkerRegistry.ThisProcess, false, LabActor.Laptop);
        Assert.Equal("live", (await registry.ListAsync()).Single(w => w.Name == WorkerRegistry.ThisProcess).State);
        lab.Job().Run(id, CancellationToken.None);
        var trained = (await lab.Queries.GetAsync(id))!;
        Assert.Equal(RunStatus.Finished, trained.Status);
        Assert.Contains($"{WorkerRegistry.ThisProcess} on cpu, code {CodeVersion.Short(CodeVersion.Current)}", Assert.Single(trained.TrainedOn));
        var (audit, _) = await lab.Get<LabAudit>().PageAsync(0, 10);
        Assert.Equal(["worker.undrained", "worker.drained"], audit.Where(a => a.Action.StartsWith("worker.")).Select(a => a.Action));
    }

    [Fact]
    public async Task ARunQueuedByNewerCodeWaitsForAWorkerThatKnowsItsConfigAndSaysWhy()
    {
        using var lab = new Lab(database);
        int id = (await lab.QueueAsync(await lab.ImportTinyAsync(), TinyDataset.Config(epochs: 1), [1], "from the future"))[0];
        // As a newer lab stores it: a setting this code has never heard of, and would silently drop.
        await using (var db = lab.Db())
        {
            var run = await db.Runs.SingleAsync(r => r.Id == id);
            var config = JsonNode.Parse(run.Request.ConfigJson)!;
            config["model"]!["future_switch"] = true;
            run.Request.ConfigJson = config.ToJsonString();
            run.Provenance.CodeVersion = "f00d5eed0000000000000000000000000000cafe";
            await db.SaveChangesAsync();
        }
        string firstJob = (await JobOf(lab, id))!;

        lab.Job().Run(id, CancellationToken.None);

        var waiting = (await lab.Queries.GetAsync(id))!;
        Assert.Equal(RunStatus.Queued, waiting.Status);
        Assert.Empty(waiting.TrainedOn);
        Assert.Equal($"waiting for another worker: {WorkerRegistry.ThisProcess} (code {CodeVersion.Short(CodeVersion.Current)}) cannot honour this run: " +
            "'model.future_switch' is not a config key this code knows (the run was queued by code f00d5eed0000)", waiting.Error);
        AssertEnqueuedAgain(lab, firstJob, waiting.JobId);
    }

    [Fact]
    public async Task ARunAskingForADeviceThisWorkerLacksWaitsForOneThatHasIt()
    {
        using var lab = new Lab(database);
        int id = (await lab.QueueAsync(await lab.ImportTinyAsync(), TinyDataset.Config(epochs: 1), [1], "on a gpu", device: "cuda"))[0];
        string firstJob = (await JobOf(lab, id))!;

        lab.Job().Run(id, CancellationToken.None);

        var waiting = (await lab.Queries.GetAsync(id))!;
        Assert.Equal(RunStatus.Queued, waiting.Status);
        Assert.Contains("cannot honour this run: device 'cuda' requested, but CUDA is not available", waiting.Error);
        AssertEnqueuedAgain(lab, firstJob, waiting.JobId);
    }

    [Fact]
    public async Task AQueuedRunLeftWithoutAJobByAWorkerThatIsGoneGetsOneAndOneLeftByALiveWorkerWaitsForIt()
    {
        using var lab = new Lab(database);
        var ids = await lab.QueueAsync(await lab.ImportTinyAsync(), TinyDataset.Config(epochs: 1), [1, 2, 3, 4], "stranded");
        await lab.Get<WorkerRegistry>().RegisterAsync([Queues.Training]);
        // Handed back, each by its worker, which then died (the first) or is about to give it its job (the second); new,
        // its lab died before giving it its job (the third) or is about to (the fourth).
        var deadAfter = TimeSpan.FromSeconds(lab.Get<IOptions<LabOptions>>().Value.Worker.DeadAfterSeconds);
        await using (var db = lab.Db())
        {
            await db.Runs.Where(r => ids.Contains(r.Id)).ExecuteUpdateAsync(set => set.SetProperty(r => r.JobId, (string?)null));
            await db.Runs.Where(r => r.Id == ids[0]).ExecuteUpdateAsync(set => set.SetProperty(r => r.Worker, "gone-host:1"));
            await db.Runs.Where(r => r.Id == ids[1]).ExecuteUpdateAsync(set => set.SetProperty(r => r.Worker, WorkerRegistry.ThisProcess));
            await db.Runs.Where(r => r.Id == ids[2]).ExecuteUpdateAsync(set => set.SetProperty(r => r.CreatedAt, DateTime.UtcNow - deadAfter * 2));
        }

        await lab.Get<InterruptedRuns>().SweepAsync();

        Assert.Equal(EnqueuedState.StateName, StateOf(lab, (await JobOf(lab, ids[0]))!));
        Assert.Null(await JobOf(lab, ids[1]));
        Assert.Equal(EnqueuedState.StateName, StateOf(lab, (await JobOf(lab, ids[2]))!));
        Assert.Null(await JobOf(lab, ids[3]));
    }

    private static async Task<string?> JobOf(Lab lab, int runId)
    {
        await using var db = lab.Db();
        return await db.Runs.Where(r => r.Id == runId).Select(r => r.JobId).SingleAsync();
    }

    private static string? StateOf(Lab lab, string jobId)
    {
        using var connection = lab.JobStorage.GetConnection();
        return connection.GetStateData(jobId)?.Name;
    }

    /// <summary>The run has a new job, waiting in the queue for the next free worker.</summary>
    private static void AssertEnqueuedAgain(Lab lab, string firstJob, string? jobNow)
    {
        Assert.NotNull(jobNow);
        Assert.NotEqual(firstJob, jobNow);
        Assert.Equal(EnqueuedState.StateName, StateOf(lab, jobNow));
    }
}

/// <summary>The code version every run and worker records comes from the build, so that a published worker, with no git
/// checkout beside it, still says which commit it runs.</summary>
public sealed class CodeVersionTests
{
    [Fact]
    public void TheCodeVersionIsTheCommitTheLabWasBuiltFrom()
    {
        var repo = new DirectoryInfo(AppContext.BaseDirectory);
        while (!File.Exists(Path.Combine(repo.FullName, "UniAD.Lab.sln"))) repo = repo.Parent!;
        using var git = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("git", "rev-parse HEAD")
            { WorkingDirectory = repo.FullName, RedirectStandardOutput = true })!;
        string head = git.StandardOutput.ReadToEnd().Trim();
        git.WaitForExit();

        Assert.Matches("^[0-9a-f]{40}$", CodeVersion.Current);
        Assert.Equal(head, CodeVersion.Current);
        Assert.Equal(head[..12], CodeVersion.Short(CodeVersion.Current));
    }
}
