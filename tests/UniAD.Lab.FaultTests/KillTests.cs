using System.Net;
using System.Net.Http.Json;
using UniAD.Core;
using UniAD.Core.Configuration;
using UniAD.Core.Training;
using UniAD.Datasets;
using static TorchSharp.torch;

namespace UniAD.Lab.FaultTests;

/// <summary>Faults injected into the real lab process: killed with SIGKILL in the middle of an epoch or of a checkpoint
/// write, it restarts, marks the run interrupted, shows nothing half-written, resumes the run from its last whole
/// checkpoint (or, when that one was damaged meanwhile, from the one before, and says so), and the run ends with the
/// numbers of one never interrupted. Killed in the middle of a dataset import, it restarts without a trace of it. On
/// either database: a SQLite file, or a PostgreSQL server that outlives the lab.</summary>
[Collection(FaultSuite.Collection)]
public sealed class KillTests
{
    public enum Kill { MidEpoch, MidEpochThenLatestCheckpointDamaged, MidCheckpointWrite }

    [Theory]
    [InlineData(Kill.MidEpoch, DatabaseProvider.Sqlite)]
    [InlineData(Kill.MidEpochThenLatestCheckpointDamaged, DatabaseProvider.Sqlite)]
    [InlineData(Kill.MidCheckpointWrite, DatabaseProvider.Sqlite)]
    [InlineData(Kill.MidEpoch, DatabaseProvider.Postgres)]
    [InlineData(Kill.MidCheckpointWrite, DatabaseProvider.Postgres)]
    public async Task AKilledRunResumesAfterARestartToTheUninterruptedNumbers(Kill kill, DatabaseProvider database)
    {
        var on = Database(database);
        // Paused for good in the third checkpoint write, two whole ones behind it.
        var first = new RunningLab(asResearcher: true, environment: kill == Kill.MidCheckpointWrite
            ? new Dictionary<string, string>(on) { [FaultPoints.Variable] = $"{FaultPoints.CheckpointWrite}@3" } : on);
        int id;
        try
        {
            using var http = Client(first);
            int dataset = await TinyLabData.ImportAsync(first);
            id = await FaultSuite.QueueTinyRunAsync(http, dataset, "killed", epochs: 40);
            if (kill == Kill.MidCheckpointWrite) await first.WaitForLogAsync(FaultPoints.ReachedLine(FaultPoints.CheckpointWrite), TimeSpan.FromMinutes(10));
            else await FaultSuite.WaitForEpochAsync(http, id, 3);           // a few epochs checkpointed, the next one training
            var folder = Path.Combine(first.DataRoot, "runs", $"{id}");
            if (kill == Kill.MidCheckpointWrite)
                Assert.Single(Directory.EnumerateFiles(folder, "*.tmp"), f => new FileInfo(f).Length > 0);   // half-written
            first.KillHard();
            FaultSuite.Injected();
            var latest = Path.Combine(folder, RunFolder.CheckpointFile);
            // Wherever the kill fell, the latest checkpoint is there.
            Assert.True(File.Exists(latest), string.Join(", ", Directory.EnumerateFiles(folder).Select(Path.GetFileName)));
            if (kill == Kill.MidEpochThenLatestCheckpointDamaged)
            {
                // A byte in the middle of the optimizer's state (the largest entry, about 1/3 to the end of the file). A third
                // in fell near the next entry's zip header, whose date and size fields no reader uses: the content stayed
                // whole and nothing was damaged (a fresh-clone CI run caught the test expecting a warning then).
                var bytes = File.ReadAllBytes(latest);
                bytes[bytes.Length / 2] ^= 0x5a;
                File.WriteAllBytes(latest, bytes);
                FaultSuite.Injected();
            }
        }
        catch (Exception e)
        {
            first.Dispose();
            throw first.Explain(e);
        }

        using var second = new RunningLab(first.DataRoot, on, asResearcher: true);   // the same data root and database: a restart
        try
        {
            using var http = Client(second);
            var folder = Path.Combine(second.DataRoot, "runs", $"{id}");
            FaultSuite.AssertNothingLost(() => Assert.Empty(Directory.EnumerateFiles(folder, "*.tmp")), "nothing half-written is visible after the restart");
            if (database == DatabaseProvider.Sqlite) FaultSuite.AssertDatabaseIntact(second.DataRoot);
            var interrupted = await RunningLab.Json(await http.GetAsync($"/api/runs/{id}"));
            Assert.Equal("Failed", interrupted.GetProperty("status").GetString());
            Assert.Equal(LabInitializer.InterruptedRun, interrupted.GetProperty("error").GetString());
            int checkpointed = Checkpoint.LoadLatestGood(Path.Combine(folder, RunFolder.CheckpointFile), out _).State.CompletedEpochs;
            if (kill == Kill.MidCheckpointWrite) Assert.Equal(2, checkpointed);   // the previous checkpoint
            else Assert.InRange(checkpointed, 1, 39);
            Assert.Equal(HttpStatusCode.OK, (await http.PostAsync($"/api/runs/{id}/resume", null)).StatusCode);
            var finished = await second.FinishedRunAsync(http, id);
            // It went on from the checkpoint: the epochs it holds were trained (and logged) once. (The epoch after it may
            // be logged twice: the kill can fall between its log line and its checkpoint.)
            var log = File.ReadAllLines(Path.Combine(folder, RunFolder.LogFile));
            Assert.All(Enumerable.Range(1, checkpointed), epoch => Assert.Single(log, line => line.Contains($"epoch {epoch}: loss")));
            Assert.Empty(Directory.EnumerateFiles(folder, "*.tmp"));
            var warnings = log.Where(line => line.Contains("  warning: ")).ToList();
            if (kill != Kill.MidEpochThenLatestCheckpointDamaged) Assert.Empty(warnings);
            else Assert.Contains(warnings, w => w.Contains("damaged") && w.Contains("resuming from the previous checkpoint"));
            FaultSuite.AssertUninterruptedNumbers(second, finished);
            FaultSuite.Recovered();
        }
        catch (Exception e) { throw second.Explain(e); }
        FaultSuite.Passed();
    }

    /// <summary>A lab on one machine (SQLite, its own job storage) asked to stop while it trains: the run goes back to the
    /// queue, not to failed, and the restart trains it on from its last checkpoint to the uninterrupted numbers.</summary>
    [Fact]
    public async Task ALabAskedToStopHandsItsRunBackAndTheRestartFinishesIt()
    {
        var first = new RunningLab(asResearcher: true);
        int id;
        try
        {
            using var http = Client(first);
            int dataset = await TinyLabData.ImportAsync(first);
            id = await FaultSuite.QueueTinyRunAsync(http, dataset, "stopped lab", epochs: 300);
            await FaultSuite.WaitForEpochAsync(http, id, 3);
            Assert.Equal(0, await first.TerminateAsync(TimeSpan.FromMinutes(1)));
            FaultSuite.Injected();
        }
        catch (Exception e)
        {
            first.Dispose();
            throw first.Explain(e);
        }

        using var second = new RunningLab(first.DataRoot, asResearcher: true);
        try
        {
            using var http = Client(second);
            var finished = await second.FinishedRunAsync(http, id);
            var log = File.ReadAllLines(Path.Combine(second.DataRoot, "runs", $"{id}", RunFolder.LogFile));
            Assert.Contains(log, line => line.Contains("handed back: ") && line.Contains(" is stopping"));
            Assert.DoesNotContain(log, line => line.Contains("failed") || line.Contains("interrupted"));
            Assert.Equal(2, finished.GetProperty("trainedOn").GetArrayLength());          // started by each lab once
            FaultSuite.AssertDatabaseIntact(second.DataRoot);
            FaultSuite.AssertUninterruptedNumbers(second, finished);
            FaultSuite.Recovered();
        }
        catch (Exception e) { throw second.Explain(e); }
        FaultSuite.Passed();
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task ALabKilledInTheMiddleOfAnImportRestartsWithoutATraceOfIt(DatabaseProvider database)
    {
        var on = Database(database);
        var first = new RunningLab(asResearcher: true, environment: new Dictionary<string, string>(on) { [FaultPoints.Variable] = FaultPoints.DatasetImport });
        try
        {
            using var http = Client(first);
            using var zip = new StreamContent(File.OpenRead(TinyLabData.Zip()));
            var upload = (await RunningLab.Json(await http.PostAsync("/api/uploads", zip))).GetProperty("upload").GetString();
            var importing = http.PostAsJsonAsync("/api/datasets", new { name = "tiny", upload });   // never answers: killed
            await first.WaitForLogAsync(FaultPoints.ReachedLine(FaultPoints.DatasetImport), TimeSpan.FromMinutes(2));
            var staging = Path.Combine(first.DataRoot, "datasets", DatasetStore.StagingFolder);
            Assert.NotEmpty(Directory.EnumerateFiles(staging, "*", SearchOption.AllDirectories));   // the files half in
            first.KillHard();
            FaultSuite.Injected();
            await Assert.ThrowsAnyAsync<HttpRequestException>(() => importing);
        }
        catch (Exception e)
        {
            first.Dispose();
            throw first.Explain(e);
        }

        using var second = new RunningLab(first.DataRoot, on, asResearcher: true);
        try
        {
            using var http = Client(second);
            var staging = Path.Combine(second.DataRoot, "datasets", DatasetStore.StagingFolder);
            var datasets = await RunningLab.Json(await http.GetAsync("/api/datasets"));
            FaultSuite.AssertNothingLost(() =>
            {
                if (Directory.Exists(staging)) Assert.Empty(Directory.EnumerateFileSystemEntries(staging));
                Assert.Empty(datasets.EnumerateArray());
                Assert.Empty(new DatasetStore(Path.Combine(second.DataRoot, "datasets")).List().Select(v => v.Folder));
            }, "the interrupted import left nothing: no staging, no version, no row");
            if (database == DatabaseProvider.Sqlite) FaultSuite.AssertDatabaseIntact(second.DataRoot);
            await TinyLabData.ImportAsync(second);                        // and the same import now goes through
            Assert.Single(new DatasetStore(Path.Combine(second.DataRoot, "datasets")).List());
        }
        catch (Exception e) { throw second.Explain(e); }
        FaultSuite.Passed();
    }

    internal static HttpClient Client(RunningLab lab) => lab.Client();

    /// <summary>The lab's settings for <paramref name="database"/>: none for SQLite (its file in the data root), or a
    /// fresh database on the test process's PostgreSQL server, which the restarted lab finds again.</summary>
    private static Dictionary<string, string> Database(DatabaseProvider database) => database == DatabaseProvider.Sqlite ? [] : new()
    {
        ["Lab__Database__Provider"] = "Postgres", ["Lab__Database__ConnectionString"] = PostgresServer.Shared.CreateDatabase("kill"),
    };
}
