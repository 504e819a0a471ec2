using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using UniAD.Datasets;

namespace UniAD.Lab.FaultTests;

/// <summary>One lab for the whole corpus, with one valid dataset for the config cases to name.</summary>
public sealed class CorpusLab : IAsyncLifetime
{
    public RunningLab Lab { get; private set; } = null!;
    public HttpClient Http { get; private set; } = null!;
    public int DatasetId { get; private set; }

    public async Task InitializeAsync()
    {
        Lab = new RunningLab(asResearcher: true);
        Http = KillTests.Client(Lab);
        DatasetId = await TinyLabData.ImportAsync(Lab);
    }

    public Task DisposeAsync()
    {
        Http.Dispose();
        Lab.Dispose();
        return Task.CompletedTask;
    }
}

/// <summary>Every input of <see cref="MalformedInputs"/> through the CLI and the HTTP API: the exact one-line error, no stack
/// trace, and nothing stored.</summary>
[Collection(FaultSuite.Collection)]
public sealed class MalformedInputTests(CorpusLab corpus) : IClassFixture<CorpusLab>
{
    // By name: a test case the runner can list one by one.
    public static TheoryData<string> Datasets => [.. MalformedInputs.Datasets.Select(d => d.Name)];
    public static TheoryData<string> Configs => [.. MalformedInputs.Configs.Select(c => c.Name)];

    [Theory]
    [MemberData(nameof(Datasets))]
    public async Task AMalformedDatasetIsRefusedWithItsProblemAndNothingIsStored(string name)
    {
        var input = MalformedInputs.Datasets.Single(d => d.Name == name);
        var zip = input.MakeZip();
        var store = TestScratch.NewFolder("malformed-store");
        var line = UniadCli.FailsWithOneLine("dataset", "import", zip, "--name", "bad", "--store", store);
        Assert.Contains(input.Error, line);
        FaultSuite.AssertNothingLost(() => Assert.Empty(Directory.EnumerateFiles(store, "*", SearchOption.AllDirectories)), $"{name}: the CLI stored nothing");
        FaultSuite.Rejected($"dataset: {name}");

        try
        {
            using var content = new StreamContent(File.OpenRead(zip));
            var upload = (await RunningLab.Json(await corpus.Http.PostAsync("/api/uploads", content))).GetProperty("upload").GetString();
            var answer = await corpus.Http.PostAsJsonAsync("/api/datasets", new { name = "bad", upload });
            Assert.Equal(HttpStatusCode.BadRequest, answer.StatusCode);
            AssertProblem(await RunningLab.Json(answer), input.Error);
            var datasets = await RunningLab.Json(await corpus.Http.GetAsync("/api/datasets"));
            FaultSuite.AssertNothingLost(() =>
            {
                Assert.DoesNotContain(datasets.EnumerateArray(), d => d.GetProperty("name").GetString() == "bad");
                Assert.DoesNotContain(new DatasetStore(Path.Combine(corpus.Lab.DataRoot, "datasets")).List(), v => v.Manifest.Name == "bad");
            }, $"{name}: the API stored nothing");
            FaultSuite.Rejected($"dataset: {name}");
        }
        catch (Exception e) { throw corpus.Lab.Explain(e); }
        FaultSuite.Passed();
    }

    [Theory]
    [MemberData(nameof(Configs))]
    public async Task AMalformedConfigIsRefusedBeforeAnyWorkWithTheSameLineEverywhere(string name)
    {
        var input = MalformedInputs.Configs.Single(c => c.Name == name);
        var output = Path.Combine(TestScratch.NewFolder("malformed-run"), "run");
        var line = UniadCli.FailsWithOneLine([
            "train", "--data", MalformedInputs.ValidFolder(), "--out", output, "--preset", input.Preset, "--ablation", input.Ablation,
            .. input.Overrides.SelectMany(o => new[] { "--set", o })]);
        Assert.Contains(input.Error, line);
        FaultSuite.AssertNothingLost(() => Assert.False(Directory.Exists(output), $"{output} exists"), $"{name}: the CLI wrote no run folder");
        FaultSuite.Rejected($"config: {name}");

        var answer = await corpus.Http.PostAsJsonAsync("/api/runs", new
        {
            datasetId = corpus.DatasetId, name = "bad", preset = input.Preset, ablation = input.Ablation, overrides = input.Overrides,
        });
        Assert.Equal(HttpStatusCode.BadRequest, answer.StatusCode);
        AssertProblem(await RunningLab.Json(answer), input.Error);
        var runs = await RunningLab.Json(await corpus.Http.GetAsync("/api/runs"));
        FaultSuite.AssertNothingLost(() => Assert.Empty(runs.GetProperty("runs").EnumerateArray()), $"{name}: the API queued nothing");
        FaultSuite.Rejected($"config: {name}");
        FaultSuite.Passed();
    }

    /// <summary>Request bodies and addresses the API cannot take: what it answers, and that nothing was stored.</summary>
    public static TheoryData<string, string, string, HttpStatusCode, string> Payloads => new()
    {
        { "not JSON", "/api/runs", "{\"datasetId\": ", HttpStatusCode.BadRequest, "the request body is not the JSON this endpoint takes: " },
        { "a string for a number", "/api/runs", "{\"datasetId\": \"one\", \"name\": \"x\"}", HttpStatusCode.BadRequest, "the request body is not the JSON this endpoint takes: $.datasetId is not of the type it takes" },
        { "a string for a list", "/api/runs", "{\"datasetId\": @dataset, \"name\": \"x\", \"overrides\": \"model.heads=4\"}", HttpStatusCode.BadRequest, "the request body is not the JSON this endpoint takes: $.overrides is not of the type it takes" },
        { "no name", "/api/runs", "{\"datasetId\": @dataset}", HttpStatusCode.BadRequest, "give the run a name" },
        { "no dataset", "/api/runs", "{\"name\": \"x\"}", HttpStatusCode.BadRequest, "choose a dataset" },
        { "an unknown dataset", "/api/runs", "{\"datasetId\": 999, \"name\": \"x\"}", HttpStatusCode.BadRequest, "dataset 999 does not exist" },
        { "an unknown category", "/api/runs", "{\"datasetId\": @dataset, \"name\": \"x\", \"categories\": [\"carpet\"]}", HttpStatusCode.BadRequest, "the dataset has no category 'carpet'" },
        { "an unknown queue", "/api/runs", "{\"datasetId\": @dataset, \"name\": \"x\", \"queue\": \"gpu9\"}", HttpStatusCode.BadRequest, "unknown queue 'gpu9'; known: training, default" },
        { "no seed", "/api/runs", "{\"datasetId\": @dataset, \"name\": \"x\", \"seeds\": []}", HttpStatusCode.BadRequest, "give at least one seed" },
        { "an unknown run", "/api/runs/999/cancel", "", HttpStatusCode.NotFound, "run 999 does not exist" },
        { "an unknown upload", "/api/datasets", "{\"name\": \"bad\", \"upload\": \"0123456789abcdef0123456789abcdef\"}", HttpStatusCode.BadRequest, "upload 0123456789abcdef0123456789abcdef not found (uploads are deleted once staged)" },
        { "a huge body", "/api/runs", "@huge", HttpStatusCode.RequestEntityTooLarge, "the request body (31,000,012 bytes) is larger than this endpoint takes (30,000,000 bytes)" },
    };

    [Theory]
    [MemberData(nameof(Payloads))]
    public async Task AMalformedRequestIsAnsweredWithWhatIsWrongAndNothingIsStored(string what, string path, string body, HttpStatusCode status, string problem)
    {
        var text = body == "@huge" ? $"{{\"name\": \"{new string('x', 31_000_000)}\"}}" : body.Replace("@dataset", $"{corpus.DatasetId}");
        // Asking to continue first, as a client with a large body should: the lab can refuse before the body is sent.
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(text, Encoding.UTF8, "application/json") };
        request.Headers.ExpectContinue = true;
        var answer = await corpus.Http.SendAsync(request);
        Assert.True(answer.StatusCode == status, $"{what}: {answer.StatusCode} {await answer.Content.ReadAsStringAsync()}");
        AssertProblem(await RunningLab.Json(answer), problem);
        var (runs, datasets) = (await RunningLab.Json(await corpus.Http.GetAsync("/api/runs")), await RunningLab.Json(await corpus.Http.GetAsync("/api/datasets")));
        FaultSuite.AssertNothingLost(() =>
        {
            Assert.Empty(runs.GetProperty("runs").EnumerateArray());
            Assert.Single(datasets.EnumerateArray());                          // the corpus's own
        }, $"{what}: nothing was stored");
        FaultSuite.Rejected($"payload: {what}");
        FaultSuite.Passed();
    }

    /// <summary>One of the answer's problems starts with <paramref name="expected"/> (the rest of a line may be a parser's words).</summary>
    private static void AssertProblem(JsonElement answer, string expected)
    {
        var problems = Problems(answer);
        Assert.True(problems.Any(p => p.StartsWith(expected, StringComparison.Ordinal)), $"expected '{expected}', got: {string.Join(" | ", problems)}");
    }

    private static List<string> Problems(JsonElement answer)
    {
        Assert.DoesNotContain("   at ", answer.ToString());                                  // never a stack trace
        return [.. answer.GetProperty("problems").EnumerateArray().Select(p => p.GetString()!)];
    }
}
