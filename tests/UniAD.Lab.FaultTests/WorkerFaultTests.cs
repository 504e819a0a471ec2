using System.Diagnostics;
using System.Text.Json;
using UniAD.Core;

namespace UniAD.Lab.FaultTests;

/// <summary>Faults of a team's set-up: a lab that does not train and two worker processes on one PostgreSQL database and
/// one data root. A worker killed mid-run (SIGKILL) is found silent within the bound, and its run resumes on the other
/// from its last whole checkpoint; a worker asked to stop (SIGTERM) hands its run back, which finishes on the other.
/// Either way the run ends with the numbers of one never interrupted.</summary>
[Collection(FaultSuite.Collection)]
public sealed class WorkerFaultTests
{
    private const double HeartbeatSeconds = 1, DeadAfterSeconds = 4;
    /// <summary>Asked to stop, long enough to be still training on the first worker after the second has started (about
    /// 0.1 s an epoch here); killed, the fault point holds it.</summary>
    private const int EpochsToStop = 300, EpochsToKill = 40;

    /// <summary>The settings every process of the set-up shares: a short heartbeat and bound, and resuming on its own.</summary>
    private static readonly Dictionary<string, string> Team = new()
    {
        ["Lab__Worker__HeartbeatSeconds"] = $"{HeartbeatSeconds}", ["Lab__Worker__DeadAfterSeconds"] = $"{DeadAfterSeconds}",
        ["Lab__Worker__ResumeInterrupted"] = "true",
    };

    [Fact]
    public async Task AWorkerKilledMidRunIsFoundSilentAndItsRunFinishesOnTheOther() => await OneWorkerFailsAsync(kill: true);

    [Fact]
    public async Task AWorkerAskedToStopHandsItsRunBackAndItFinishesOnTheOther() => await OneWorkerFailsAsync(kill: false);

    private static async Task OneWorkerFailsAsync(bool kill)
    {
        int epochs = kill ? EpochsToKill : EpochsToStop;
        string postgres = PostgresServer.Shared.CreateDatabase("faults");
        using var lab = new RunningLab(asResearcher: true, environment: new Dictionary<string, string>(Team)
        {
            ["Lab__Database__Provider"] = "Postgres", ["Lab__Database__ConnectionString"] = postgres, ["Lab__Workers__training"] = "0",
        });
        // Killed, the first is held in its third checkpoint write (two whole ones behind it), so it is surely mid-run;
        // asked to stop, it trains a run long enough to be still training once the second has started.
        using var first = new RunningWorker(lab.DataRoot, postgres, kill
            ? new Dictionary<string, string>(Team) { [FaultPoints.Variable] = $"{FaultPoints.CheckpointWrite}@3" } : Team);
        RunningWorker? second = null;
        try
        {
            await first.RegisteredAsync();
            using var http = lab.Client();
            int dataset = await TinyLabData.ImportAsync(lab);
            int id = await FaultSuite.QueueTinyRunAsync(http, dataset, kill ? "killed worker" : "stopped worker", epochs: epochs);
            if (kill) await first.WaitForLogAsync(FaultPoints.ReachedLine(FaultPoints.CheckpointWrite), TimeSpan.FromMinutes(5));
            else await FaultSuite.WaitForEpochAsync(http, id, 1);                     // on the first: the only worker yet
            second = new RunningWorker(lab.DataRoot, postgres, Team);
            await second.RegisteredAsync();
            var training = await RunningLab.Json(await http.GetAsync($"/api/runs/{id}"));
            Assert.True(training.GetProperty("worker").GetString() == first.Name && training.GetProperty("status").GetString() == "Running"
                && training.GetProperty("epoch").GetInt32() < epochs / 2, $"the run should still be training on the first worker when it fails: {training}");

            var stopped = Stopwatch.StartNew();
            if (kill) first.KillHard();
            else Assert.Equal(0, await first.TerminateAsync(TimeSpan.FromMinutes(1)));   // it exits cleanly, having handed the run back
            FaultSuite.Injected();

            var finished = await lab.FinishedRunAsync(http, id);
            var trainedOn = finished.GetProperty("trainedOn").EnumerateArray().Select(e => e.GetString()!).ToList();
            Assert.Equal(2, trainedOn.Count);
            Assert.Contains($" {first.Name} on cpu", trainedOn[0]);
            Assert.Contains($" {second.Name} on cpu", trainedOn[1]);
            Assert.Equal(second.Name, finished.GetProperty("worker").GetString());
            var log = File.ReadAllLines(Path.Combine(lab.DataRoot, "runs", $"{id}", "run.log"));
            if (kill)
            {
                Assert.Contains(log, line => line.Contains($"interrupted: its worker {first.Name} stopped training it"));
                // Found within the bound: the resume the lab recorded came at most DeadAfter + Heartbeat after the kill
                // (and a second of the poll that notices it, with room for a busy two-core machine).
                var resumed = await AuditedResumeAsync(lab, id);
                Assert.True(resumed <= DateTimeOffset.UtcNow - stopped.Elapsed + TimeSpan.FromSeconds(DeadAfterSeconds + HeartbeatSeconds + 10),
                    $"resumed at {resumed:O}, the kill was {stopped.Elapsed.TotalSeconds:F1} s ago");
            }
            else
            {
                Assert.Contains(log, line => line.Contains($"handed back: {first.Name} is stopping"));
                Assert.DoesNotContain(log, line => line.Contains("failed"));
            }
            // From the checkpoint, not from the start: no epoch before the hand-over was trained twice.
            int resumedAt = log.Count(line => line.Contains("epoch ") && line.Contains(": loss")) - epochs;
            Assert.InRange(resumedAt, 0, 1);                                               // the epoch in flight may be logged twice
            FaultSuite.AssertUninterruptedNumbers(lab, finished);
            FaultSuite.Recovered();
        }
        catch (Exception e)
        {
            throw new Exception($"{lab.Explain(e).Message}\n--- first worker\n{first.Log}\n--- second worker\n{second?.Log}", e);
        }
        finally { second?.Dispose(); }
        FaultSuite.Passed();
    }

    [Fact]
    public async Task AWorkerOfTwoProcessesPassesItsStopToBothAndTheyStopOnTheirOwnWhenItIsKilled()
    {
        string postgres = PostgresServer.Shared.CreateDatabase("processes");
        using var lab = new RunningLab(asResearcher: true, environment: new Dictionary<string, string>(Team)
        {
            ["Lab__Database__Provider"] = "Postgres", ["Lab__Database__ConnectionString"] = postgres, ["Lab__Workers__training"] = "0",
        });
        var twoProcesses = new Dictionary<string, string>(Team) { ["Lab__Worker__Processes"] = "2" };
        using var http = lab.Client();
        using var stopped = new RunningWorker(lab.DataRoot, postgres, twoProcesses);
        using var killed = new RunningWorker(lab.DataRoot, postgres, twoProcesses);
        try
        {
            // Each worker's two processes register and train; the worker itself, which trains nothing, does not.
            var children = await LiveWorkersAsync(http, 4);
            Assert.DoesNotContain(stopped.Name, children);
            Assert.DoesNotContain(killed.Name, children);
            int dataset = await TinyLabData.ImportAsync(lab);
            var ids = new List<int>();
            for (int seed = 1; seed <= 4; seed++) ids.Add(await FaultSuite.QueueTinyRunAsync(http, dataset, $"process {seed}", epochs: 1));
            foreach (var id in ids) Assert.Contains((await lab.FinishedRunAsync(http, id)).GetProperty("worker").GetString(), children);

            Assert.Equal(0, await stopped.TerminateAsync(TimeSpan.FromMinutes(1)));         // after both its processes stopped
            killed.KillAlone();
            FaultSuite.Injected();
            var left = await LiveWorkersAsync(http, 0);                                    // the killed one's stop on their own
            var states = (await RunningLab.Json(await http.GetAsync("/api/workers"))).EnumerateArray().Select(w => w.GetProperty("state").GetString());
            Assert.Equal(Enumerable.Repeat("stopped", 4), states);
            FaultSuite.Recovered();
        }
        catch (Exception e)
        {
            throw new Exception($"{lab.Explain(e).Message}\n--- stopped worker\n{stopped.Log}\n--- killed worker\n{killed.Log}", e);
        }
        FaultSuite.Passed();
    }

    /// <summary>The live workers' names once there are <paramref name="count"/> of them (within two minutes).</summary>
    private static async Task<IReadOnlyList<string>> LiveWorkersAsync(HttpClient http, int count)
    {
        for (var deadline = DateTime.UtcNow.AddMinutes(2); ; await Task.Delay(200))
        {
            var live = (await RunningLab.Json(await http.GetAsync("/api/workers"))).EnumerateArray()
                .Where(w => w.GetProperty("state").GetString() == "live").Select(w => w.GetProperty("name").GetString()!).ToList();
            if (live.Count == count) return live;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"{live.Count} live workers, not {count}: {string.Join(", ", live)}");
        }
    }

    /// <summary>When the lab recorded that it queued the run again on its own (the audit list, as an admin reads it).</summary>
    private static async Task<DateTimeOffset> AuditedResumeAsync(RunningLab lab, int id)
    {
        using var admin = await lab.AdminAsync();
        var entries = (await RunningLab.Json(await admin.GetAsync("/api/audit?pageSize=100"))).GetProperty("entries").EnumerateArray();
        return entries.First(e => e.GetProperty("action").GetString() == "run.resumed" && e.GetProperty("subject").GetString() == $"run {id}")
            .GetProperty("at").GetDateTimeOffset();
    }
}
