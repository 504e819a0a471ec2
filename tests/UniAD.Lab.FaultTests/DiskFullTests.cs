using System.Net;
using System.Net.Http.Json;
using UniAD.Core.Training;
using UniAD.Datasets;

namespace UniAD.Lab.FaultTests;

/// <summary>The disk that holds runs or datasets fills up (a real small file system): the job or the import fails with a
/// message that says the disk is full, nothing half-written remains, the lab keeps serving, and once there is room again
/// the run resumes to the numbers of one never interrupted and the import goes through.</summary>
[Collection(FaultSuite.Collection)]
public sealed class DiskFullTests
{
    [Fact]
    public async Task ADiskFilledDuringTrainingFailsTheRunPlainlyAndTheRunResumesOnceThereIsRoom()
    {
        var dataRoot = TestScratch.NewFolder("uniad-lab-disk");
        var disk = new SmallDisk(Path.Combine(dataRoot, "runs"), megabytes: 64);
        var lab = new RunningLab(dataRoot, asResearcher: true);
        try
        {
            using var http = KillTests.Client(lab);
            int dataset = await TinyLabData.ImportAsync(lab);
            int id = await FaultSuite.QueueTinyRunAsync(http, dataset, "disk full", epochs: 40);
            await FaultSuite.WaitForEpochAsync(http, id, 3);
            disk.Fill();
            FaultSuite.Injected();
            var failed = await RunningLab.RunEndedAsAsync(http, id, "Failed");
            Assert.Contains("the disk is full", failed.GetProperty("error").GetString());
            Assert.Matches(@"\(error [0-9a-f]{8};", failed.GetProperty("error").GetString());
            var folder = Path.Combine(dataRoot, "runs", $"{id}");
            Assert.Empty(Directory.EnumerateFiles(folder, "*.tmp"));           // nothing half-written remains
            Checkpoint.LoadLatestGood(Path.Combine(folder, RunFolder.CheckpointFile), out string? damage);
            Assert.Null(damage);                                               // and the latest checkpoint is whole
            foreach (var page in new[] { "/", "/runs", $"/runs/{id}", "/api/runs", $"/api/runs/{id}" })
                Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(page)).StatusCode);   // the lab keeps serving

            disk.Empty();
            Assert.Equal(HttpStatusCode.OK, (await http.PostAsync($"/api/runs/{id}/resume", null)).StatusCode);
            FaultSuite.AssertUninterruptedNumbers(lab, await lab.FinishedRunAsync(http, id));
            FaultSuite.Recovered();
        }
        catch (Exception e) { throw lab.Explain(e); }
        finally { Release(lab, disk); }
        FaultSuite.Passed();
    }

    [Fact]
    public async Task ADiskFilledDuringAnImportRefusesItPlainlyAndKeepsNothingOfIt()
    {
        var dataRoot = TestScratch.NewFolder("uniad-lab-disk");
        var disk = new SmallDisk(Path.Combine(dataRoot, "datasets"), megabytes: 8);
        var lab = new RunningLab(dataRoot, asResearcher: true);
        try
        {
            using var http = KillTests.Client(lab);
            disk.Fill(leaveBytes: 64 << 10);                                  // room for the first few images only
            using var zip = new StreamContent(File.OpenRead(TinyLabData.Zip()));
            var upload = (await RunningLab.Json(await http.PostAsync("/api/uploads", zip))).GetProperty("upload").GetString();
            var refused = await http.PostAsJsonAsync("/api/datasets", new { name = "tiny", upload });
            FaultSuite.Injected();
            Assert.Equal(HttpStatusCode.InsufficientStorage, refused.StatusCode);
            var problem = Assert.Single((await RunningLab.Json(refused)).GetProperty("problems").EnumerateArray()).GetString();
            Assert.StartsWith("the disk is full: ", problem);
            var store = new DatasetStore(Path.Combine(dataRoot, "datasets"));
            var datasets = await RunningLab.Json(await http.GetAsync("/api/datasets"));
            FaultSuite.AssertNothingLost(() =>
            {
                Assert.Empty(store.List().Select(v => v.Folder));
                Assert.Equal(["filler.bin"], Directory.EnumerateFiles(Path.Combine(dataRoot, "datasets"), "*", SearchOption.AllDirectories).Select(Path.GetFileName));
                Assert.Empty(datasets.EnumerateArray());
            }, "the refused import left nothing but the filler");
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/datasets")).StatusCode);
            FaultSuite.AssertDatabaseIntact(dataRoot);

            disk.Empty();
            await TinyLabData.ImportAsync(lab);
            Assert.Single(store.List());
        }
        catch (Exception e) { throw lab.Explain(e); }
        finally { Release(lab, disk); }
        FaultSuite.Passed();
    }

    /// <summary>The lab first (its files keep the mount busy), then the file system, then the data root.</summary>
    private static void Release(RunningLab lab, SmallDisk disk)
    {
        lab.KillHard();
        disk.Dispose();
        lab.Dispose();
    }
}
