using System.Net;
using System.Net.Http.Json;
using System.Reflection;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using UniAD.Core.Configuration;
using UniAD.Core.Training;
using UniAD.Datasets;
using Xunit.Abstractions;
using Xunit.Sdk;
using static TorchSharp.torch;

namespace UniAD.Lab.FaultTests;

/// <summary>Every fault test is in this collection, so that <see cref="FaultSuite"/> sees them all before it sums up.</summary>
[CollectionDefinition(FaultSuite.Collection)]
public sealed class FaultSuiteCollection : ICollectionFixture<FaultSuite>;

/// <summary>What the fault tests share: the tiny run they train, the checks that nothing was lost, and the counts for the
/// suite's summary line, written when it ends and only when every one of its tests started and passed: faults injected,
/// runs recovered, malformed inputs and how many times they were refused (each input is tried through the CLI, the API or
/// both), and how many checks looked for lost or left-over data (an import's leftovers, every write of the concurrent
/// sessions, a resumed run's numbers, the database's integrity) with how many of them found any.</summary>
public sealed class FaultSuite(IMessageSink sink) : IDisposable
{
    public const string Collection = "fault suite";
    private static int _started, _passed, _injected, _recovered, _rejections, _lossChecks, _lost;
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, byte> MalformedInputs = new(), StartedMethods = new();

    /// <summary>Every test method of this assembly ([Fact] or [Theory]). A test that never starts (its class fixture or
    /// constructor threw, or a theory found no data) never counts as started or passed: the summary also waits for each
    /// of these to have started.</summary>
    private static readonly IReadOnlyList<string> TestMethods = [.. typeof(FaultSuite).Assembly.GetTypes()
        .SelectMany(type => type.GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly))
        .Where(method => method.IsDefined(typeof(FactAttribute), inherit: true))            // a TheoryAttribute is a FactAttribute
        .Select(Name).Order()];

    private static string Name(MethodInfo method) => $"{method.DeclaringType!.Name}.{method.Name}";

    /// <summary>A test (or a row of a theory) starts: called for each by <see cref="CountedTestAttribute"/>.</summary>
    public static void Started(MethodInfo method)
    {
        StartedMethods.TryAdd(Name(method), 0);
        Interlocked.Increment(ref _started);
    }

    /// <summary>The last line of every fault test: the summary is written only when each test that started got here.</summary>
    public static void Passed() => Interlocked.Increment(ref _passed);
    public static void Injected() => Interlocked.Increment(ref _injected);
    public static void Recovered() => Interlocked.Increment(ref _recovered);

    /// <summary>A malformed input was refused by one front end.</summary>
    public static void Rejected(string input)
    {
        MalformedInputs.TryAdd(input, 0);
        Interlocked.Increment(ref _rejections);
    }

    /// <summary>A check that looks for lost or left-over data: counted for the summary, and asserted by
    /// <paramref name="asserts"/>, the check's own asserts, so that a failure names what was lost or left over (the
    /// dataset, the tag, the file). One that fails counts as data lost and fails the test with <paramref name="what"/>
    /// in front of the assert's message.</summary>
    public static void AssertNothingLost(Action asserts, string what)
    {
        Interlocked.Increment(ref _lossChecks);
        try { asserts(); }
        catch (Exception failure)
        {
            Interlocked.Increment(ref _lost);
            throw new XunitException($"{what}: {failure.Message}", failure);
        }
    }

    /// <summary>The summary line, a runner message that <c>dotnet test</c> prints (xunit.runner.json turns them on).</summary>
    public void Dispose()
    {
        var notStarted = TestMethods.Where(method => !StartedMethods.ContainsKey(method)).ToList();
        sink.OnMessage(new DiagnosticMessage(
            notStarted.Count > 0 ? $"fault suite: {notStarted.Count} of {TestMethods.Count} tests did not start ({string.Join(", ", notStarted)}); no summary"
            : _passed != _started ? $"fault suite: {_started - _passed} of {_started} tests did not pass; no summary"
            : $"fault suite: {_injected} faults injected, {_recovered} runs recovered, {MalformedInputs.Count} malformed inputs refused " +
              $"{_rejections} times (each through the CLI, the API or both), {_lossChecks} checks for lost or left-over data, data lost: {_lost}"));
    }

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
        var config = UniadConfig.FromJson(finished.GetProperty("config").GetRawText());
        var version = Directory.EnumerateDirectories(Path.Combine(lab.DataRoot, "datasets", "tiny")).Single();
        var straight = Experiment.Run(new ExperimentRequest(config, DatasetVersion.Open(version).Load(null), TestScratch.NewFolder("uniad-straight"), CPU),
            new ExperimentHooks());
        var losses = finished.GetProperty("history").EnumerateArray().OrderBy(h => h.GetProperty("epoch").GetInt32())
            .Select(h => h.GetProperty("loss").GetDouble()).ToList();
        AssertNothingLost(() =>
        {
            Close.Equal(straight.State.History.Select(h => h.MeanLoss), losses, tolerance: 1e-12);
            Assert.Equal(straight.Report!.Mean.ImageAuroc, finished.GetProperty("meanImageAuroc").GetDouble(), 1e-12);
            Assert.Equal(straight.Report.Mean.PixelAuroc!.Value, finished.GetProperty("meanPixelAuroc").GetDouble(), 1e-12);
        }, "the resumed run has the losses and AUROCs of the uninterrupted one");
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
        AssertNothingLost(() => Assert.Equal("ok", integrity), "SQLite's integrity check");
        AssertNothingLost(() => Assert.Equal("", foreignKeys), "SQLite's foreign-key check");
    }
}
