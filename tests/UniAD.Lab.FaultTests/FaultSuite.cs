using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using UniAD.Core.Configuration;
using UniAD.Core.Training;
using UniAD.Datasets;
using UniAD.Lab.BrowserTests;
using UniAD.Tests;
using Xunit.Abstractions;
using Xunit.Sdk;
using static TorchSharp.torch;

namespace UniAD.Lab.FaultTests;

/// <summary>Every fault test is in this collection, so that <see cref="FaultSuite"/> sees them all before it sums up.</summary>
[CollectionDefinition(FaultSuite.Collection)]
public sealed class FaultSuiteCollection : ICollectionFixture<FaultSuite>;

/// <summary>What the fault tests share: the tiny run they train, the checks that nothing was lost, and the counts for
/// the suite's summary line (faults injected, runs recovered, inputs rejected, data lost), written when it ends.</summary>
public sealed class FaultSuite(IMessageSink sink) : IDisposable
{
    public const string Collection = "fault suite";
    private static int _injected, _recovered, _rejected, _lost;

    public static void Injected() => Interlocked.Increment(ref _injected);
    public static void Recovered() => Interlocked.Increment(ref _recovered);
    public static void Rejected() => Interlocked.Increment(ref _rejected);

    /// <summary>The summary line, a runner message that <c>dotnet test</c> prints (xunit.runner.json turns them on).</summary>
    public void Dispose() => sink.OnMessage(new DiagnosticMessage(
        $"fault suite: {_injected} faults injected, {_recovered} runs recovered, {_rejected} inputs rejected, data lost: {_lost}"));

    public static async Task<int> QueueTinyRunAsync(HttpClient http, int dataset, string name, int epochs)
    {
        var queued = await http.PostAsJsonAsync("/api/runs", new
        {
            datasetId = dataset, name, epochs, evaluateEvery = 0, seeds = new[] { 5 }, overrides = TinyLabData.Overrides, device = "cpu",
        });
        Assert.Equal(HttpStatusCode.Created, queued.StatusCode);
        return (await RunningLab.Json(queued)).GetProperty("ids")[0].GetInt32();
    }

    /// <summary>Until the run is training with at least <paramref name="epochs"/> epochs done.</summary>
    public static async Task WaitForEpochAsync(HttpClient http, int id, int epochs)
    {
        for (var deadline = DateTime.UtcNow.AddMinutes(10); ; await Task.Delay(50))
        {
            var run = await RunningLab.Json(await http.GetAsync($"/api/runs/{id}"));
            if (run.GetProperty("status").GetString() == "Running" && run.GetProperty("epoch").GetInt32() >= epochs) return;
            Assert.True(DateTime.UtcNow < deadline && run.GetProperty("status").GetString() is "Queued" or "Running", $"run {id}: {run}");
        }
    }

    /// <summary>The finished run has the losses and AUROCs of the same config, seed and stored data trained here in one go.</summary>
    public static void AssertUninterruptedNumbers(RunningLab lab, JsonElement finished)
    {
        var config = UniadConfig.FromJson(finished.GetProperty("configJson").GetString()!);
        var version = Directory.EnumerateDirectories(Path.Combine(lab.DataRoot, "datasets", "tiny")).Single();
        var straight = Experiment.Run(new ExperimentRequest(config, DatasetVersion.Open(version).Load(null), TestScratch.NewFolder("uniad-straight"), CPU),
            new ExperimentHooks());
        var losses = finished.GetProperty("history").EnumerateArray().OrderBy(h => h.GetProperty("epoch").GetInt32())
            .Select(h => h.GetProperty("loss").GetDouble()).ToList();
        bool same = losses.Count == straight.State.History.Count
                    && losses.Zip(straight.State.History).All(p => Math.Abs(p.First - p.Second.MeanLoss) <= 1e-12)
                    && Math.Abs(straight.Report!.Mean.ImageAuroc - finished.GetProperty("meanImageAuroc").GetDouble()) <= 1e-12
                    && Math.Abs(straight.Report.Mean.PixelAuroc!.Value - finished.GetProperty("meanPixelAuroc").GetDouble()) <= 1e-12;
        if (!same) Interlocked.Increment(ref _lost);
        Close.Equal(straight.State.History.Select(h => h.MeanLoss), losses, tolerance: 1e-12);
        Assert.Equal(straight.Report!.Mean.ImageAuroc, finished.GetProperty("meanImageAuroc").GetDouble(), 1e-12);
        Assert.Equal(straight.Report.Mean.PixelAuroc!.Value, finished.GetProperty("meanPixelAuroc").GetDouble(), 1e-12);
    }

    /// <summary>SQLite's own checks of the lab's database: every page and index sound, every foreign key pointing at a row.</summary>
    public static void AssertDatabaseIntact(string dataRoot)
    {
        using var connection = new SqliteConnection($"Data Source={Path.Combine(dataRoot, "lab.db")};Mode=ReadOnly;Pooling=False");
        connection.Open();
        string Scalar(string sql)
        {
            using var command = connection.CreateCommand();
            command.CommandText = sql;
            return command.ExecuteScalar()?.ToString() ?? "";
        }
        string integrity = Scalar("PRAGMA integrity_check"), foreignKeys = Scalar("PRAGMA foreign_key_check");
        if (integrity != "ok" || foreignKeys != "") Interlocked.Increment(ref _lost);
        Assert.Equal("ok", integrity);
        Assert.Equal("", foreignKeys);
    }
}
