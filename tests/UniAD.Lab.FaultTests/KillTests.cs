using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using UniAD.Core.Configuration;
using UniAD.Core.Training;
using UniAD.Datasets;
using UniAD.Lab.BrowserTests;
using UniAD.Tests;
using static TorchSharp.torch;

namespace UniAD.Lab.FaultTests;

/// <summary>Faults injected into the real lab process: killed with SIGKILL in the middle of an epoch, it restarts, marks
/// the run interrupted, resumes it from its last checkpoint (or, when that one was damaged meanwhile, from the one
/// before, and says so), and the run ends with the numbers of one never interrupted.</summary>
public sealed class KillTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ARunKilledMidEpochResumesAfterARestartToTheUninterruptedNumbers(bool damageTheLatestCheckpoint)
    {
        var first = new RunningLab();
        int id;
        try
        {
            using var http = Client(first);
            int dataset = await TinyLabData.ImportAsync(first.Url);
            var queued = await http.PostAsJsonAsync("/api/runs", new
            {
                datasetId = dataset, name = "killed", epochs = 40, evaluateEvery = 0, seeds = new[] { 5 }, overrides = TinyLabData.Overrides, device = "cpu",
            });
            Assert.Equal(HttpStatusCode.Created, queued.StatusCode);
            id = (await RunningLab.Json(queued)).GetProperty("ids")[0].GetInt32();
            // Kill once a few epochs are checkpointed, while the next one trains.
            for (var deadline = DateTime.UtcNow.AddMinutes(10); ; await Task.Delay(50))
            {
                var run = await RunningLab.Json(await http.GetAsync($"/api/runs/{id}"));
                if (run.GetProperty("status").GetString() == "Running" && run.GetProperty("epoch").GetInt32() >= 3) break;
                Assert.True(DateTime.UtcNow < deadline && run.GetProperty("status").GetString() is "Queued" or "Running", $"run {id}: {run}");
            }
            first.KillHard();
            var latest = Path.Combine(first.DataRoot, "runs", $"{id}", Experiment.CheckpointFile);
            // Wherever the kill fell, a checkpoint write included, the latest checkpoint is there.
            Assert.True(File.Exists(latest), string.Join(", ", Directory.EnumerateFiles(Path.GetDirectoryName(latest)!).Select(Path.GetFileName)));
            if (damageTheLatestCheckpoint)
            {
                var bytes = File.ReadAllBytes(latest);
                bytes[bytes.Length / 3] ^= 0x5a;
                File.WriteAllBytes(latest, bytes);
            }
        }
        catch (Exception e)
        {
            first.Dispose();
            throw first.Explain(e);
        }

        using var second = new RunningLab(first.DataRoot);                  // the same data root: a restart
        try
        {
            using var http = Client(second);
            var interrupted = await RunningLab.Json(await http.GetAsync($"/api/runs/{id}"));
            Assert.Equal("Failed", interrupted.GetProperty("status").GetString());
            Assert.Equal(LabInitializer.InterruptedRun, interrupted.GetProperty("error").GetString());
            var folder = Path.Combine(second.DataRoot, "runs", $"{id}");
            int checkpointed = Checkpoint.LoadLatestGood(Path.Combine(folder, Experiment.CheckpointFile), out _).State.CompletedEpochs;
            Assert.InRange(checkpointed, 1, 39);
            Assert.Equal(HttpStatusCode.OK, (await http.PostAsync($"/api/runs/{id}/resume", null)).StatusCode);
            var finished = await second.FinishedRunAsync(http, id);
            // It went on from the checkpoint: the epochs it holds were trained (and logged) once. (The epoch after it may
            // be logged twice: the kill can fall between its log line and its checkpoint.)
            var log = File.ReadAllLines(Path.Combine(folder, "run.log"));
            Assert.All(Enumerable.Range(1, checkpointed), epoch => Assert.Single(log, line => line.Contains($"epoch {epoch}: loss")));
            Assert.Empty(Directory.EnumerateFiles(folder, "*.tmp"));           // nothing half-written remains
            var warnings = log.Where(line => line.Contains("  warning: ")).ToList();
            if (!damageTheLatestCheckpoint) Assert.Empty(warnings);
            else Assert.Contains(warnings, w => w.Contains("damaged") && w.Contains("resuming from the previous checkpoint"));

            // The same config, seed and stored data, trained here in one go.
            var config = UniadConfig.FromJson(finished.GetProperty("configJson").GetString()!);
            var version = Directory.EnumerateDirectories(Path.Combine(second.DataRoot, "datasets", "tiny")).Single();
            var straight = Experiment.Run(new ExperimentRequest(config, DatasetVersion.Open(version).Load(null), TestScratch.NewFolder("uniad-straight"), CPU),
                new ExperimentHooks());
            var losses = finished.GetProperty("history").EnumerateArray().OrderBy(h => h.GetProperty("epoch").GetInt32())
                .Select(h => h.GetProperty("loss").GetDouble()).ToList();
            Close.Equal(straight.State.History.Select(h => h.MeanLoss), losses, tolerance: 1e-12);
            Assert.Equal(straight.Report!.Mean.ImageAuroc, finished.GetProperty("meanImageAuroc").GetDouble(), 1e-12);
            Assert.Equal(straight.Report.Mean.PixelAuroc!.Value, finished.GetProperty("meanPixelAuroc").GetDouble(), 1e-12);
        }
        catch (Exception e) { throw second.Explain(e); }
    }

    private static HttpClient Client(RunningLab lab) => new() { BaseAddress = new Uri(lab.Url), Timeout = TimeSpan.FromMinutes(5) };
}
