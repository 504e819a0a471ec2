using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using UniAD.Core.Training;

namespace UniAD.Lab.BrowserTests;

/// <summary>The HTTP API against the real lab, as a script would use it: upload and import a dataset, be told every
/// problem with a bad run request, queue seeds, follow them to the end and read their results.</summary>
public sealed class HttpApiTests : IDisposable
{
    private readonly RunningLab _lab = new();
    private readonly HttpClient _http;

    public HttpApiTests() => _http = new HttpClient { BaseAddress = new Uri(_lab.Url), Timeout = TimeSpan.FromMinutes(5) };

    [Fact]
    public async Task ImportQueueFollowAndReadRunsOverHttp()
    {
        using var zip = new StreamContent(File.OpenRead(TinyLabData.Zip()));
        var upload = await RunningLab.Json(await _http.PostAsync("/api/uploads", zip));
        var imported = await _http.PostAsJsonAsync("/api/datasets", new { name = "api", upload = upload.GetProperty("upload").GetString() });
        Assert.Equal(HttpStatusCode.Created, imported.StatusCode);
        int datasetId = (await RunningLab.Json(imported)).GetProperty("dataset").GetProperty("id").GetInt32();
        var dataset = Assert.Single((await RunningLab.Json(await _http.GetAsync("/api/datasets"))).EnumerateArray(), d => d.GetProperty("name").GetString() == "api");
        Assert.Equal(TimeSpan.Zero, dataset.GetProperty("createdAt").GetDateTimeOffset().Offset);                   // UTC, and said so
        Assert.Matches(@"(Z|\+00:00)$", dataset.GetProperty("createdAt").GetString());
        Assert.False(dataset.TryGetProperty("folder", out _));                                                     // no server path

        var refused = await _http.PostAsJsonAsync("/api/runs", new
        {
            datasetId, name = "bad", categories = new[] { "screw" }, overrides = new[] { "model.no_such_key=1" }, device = "tpu",
        });
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType!.MediaType);
        var problems = (await RunningLab.Json(refused)).GetProperty("problems").EnumerateArray().Select(p => p.GetString()!).ToList();
        Assert.Contains(problems, p => p.Contains("no_such_key"));
        Assert.Contains(problems, p => p.Contains("no category 'screw'"));
        Assert.Contains(problems, p => p.Contains("unknown device 'tpu'"));

        var queued = await _http.PostAsJsonAsync("/api/runs", new
        {
            datasetId, name = "api run", epochs = 2, evaluateEvery = 1, seeds = new[] { 3, 4 }, overrides = TinyLabData.Overrides, device = "cpu",
        });
        Assert.Equal(HttpStatusCode.Created, queued.StatusCode);
        var ids = (await RunningLab.Json(queued)).GetProperty("ids").EnumerateArray().Select(i => i.GetInt32()).ToList();
        Assert.Equal(2, ids.Count);

        var runs = await Task.WhenAll(ids.Select(id => _lab.FinishedRunAsync(_http, id)));
        foreach (var run in runs)
        {
            Assert.Equal(["fabric", "nut", "(mean)"], run.GetProperty("results").EnumerateArray().Select(r => r.GetProperty("category").GetString()));
            Assert.Equal([1, 2], run.GetProperty("evaluations").EnumerateArray().Where(e => e.GetProperty("isMean").GetBoolean())
                .Select(e => e.GetProperty("epoch").GetInt32()));
        }
        Assert.Equal([3, 4], runs.Select(r => r.GetProperty("seed").GetInt32()));

        var listed = await RunningLab.Json(await _http.GetAsync("/api/runs?search=api%20run&sortBy=Seed&descending=false"));
        Assert.Equal(2, listed.GetProperty("total").GetInt32());
        Assert.Equal(runs.Select(r => r.GetProperty("meanImageAuroc").GetDouble()),
                     listed.GetProperty("runs").EnumerateArray().Select(r => r.GetProperty("meanImageAuroc").GetDouble()));

        // The baseline beside them: a PatchCore run asked for by its method alone (its preset), at the same input size.
        var patchcore = await RunningLab.Json(await _http.PostAsJsonAsync("/api/runs", new
        {
            datasetId, name = "api patchcore", method = "patchcore", overrides = new[] { "backbone.input_size=[64,64]" }, device = "cpu",
        }));
        var baseline = await _lab.FinishedRunAsync(_http, patchcore.GetProperty("ids")[0].GetInt32());
        Assert.Equal(("patchcore", "patchcore"), (baseline.GetProperty("preset").GetString(), baseline.GetProperty("config").GetProperty("method").GetString()));
        Assert.Equal("largest patch score (PatchCore, official code)", baseline.GetProperty("imageScore").GetString());
        Assert.Equal(3, baseline.GetProperty("results").GetArrayLength());
        Assert.Contains(RunFolder.MemoryBankFile, baseline.GetProperty("files").EnumerateArray().Select(f => f.GetString()));
        var bank = await _http.GetAsync($"/api/runs/{baseline.GetProperty("id").GetInt32()}/files/{RunFolder.MemoryBankFile}");
        Assert.Equal(HttpStatusCode.OK, bank.StatusCode);
        Assert.True(UniAD.Core.PatchCore.MemoryBank.IsMemoryBank(await SaveAsync(bank)));

        var resumeFinished = await _http.PostAsync($"/api/runs/{ids[0]}/resume", null);
        Assert.Equal(HttpStatusCode.Conflict, resumeFinished.StatusCode);
        Assert.Contains("only failed or cancelled runs resume", await resumeFinished.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.NotFound, (await _http.GetAsync("/api/runs/999")).StatusCode);
        var notExportable = await _http.GetAsync($"/api/runs/{ids[0]}/official.zip");            // a ResNet-18 run
        var refusal = await notExportable.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.Conflict, notExportable.StatusCode);
        Assert.Contains("only finished EfficientNet-B4 runs export to the official code", refusal);
        Assert.DoesNotContain(_lab.DataRoot, refusal);                                              // no server path
        var noRoute = await _http.GetAsync("/api/no-such-thing");
        Assert.Equal((HttpStatusCode.NotFound, "application/problem+json"), (noRoute.StatusCode, noRoute.Content.Headers.ContentType!.MediaType));

        // The bulk cancel: a group of seeds queued at once, cancelled in one request.
        var many = await RunningLab.Json(await _http.PostAsJsonAsync("/api/runs", new { datasetId, name = "many", seeds = Enumerable.Range(1, 30), device = "cpu" }));
        var group = (await RunningLab.Json(await _http.GetAsync($"/api/runs/{many.GetProperty("ids")[0].GetInt32()}"))).GetProperty("group").GetString();
        var cancelled = await RunningLab.Json(await _http.PostAsJsonAsync("/api/runs/cancel", new { group }));
        Assert.Equal(30, cancelled.GetProperty("cancelled").GetInt32());
        foreach (var id in many.GetProperty("ids").EnumerateArray())                   // one may have started: it stops after its batch
            await RunningLab.RunEndedAsAsync(_http, id.GetInt32(), "Cancelled");
    }

    /// <summary>A download's bytes in a file of its own.</summary>
    private static async Task<string> SaveAsync(HttpResponseMessage download)
    {
        var path = Path.Combine(TestScratch.NewFolder("download"), "file");
        await File.WriteAllBytesAsync(path, await download.Content.ReadAsByteArrayAsync());
        return path;
    }

    /// <summary>The document scripts and the reference page read: OpenAPI, served by the lab itself.</summary>
    [Fact]
    public async Task TheOpenApiDocumentIsServed()
    {
        var document = await RunningLab.Json(await _http.GetAsync("/openapi/v1.json"));
        Assert.StartsWith("3.", document.GetProperty("openapi").GetString());
        Assert.True(document.GetProperty("paths").TryGetProperty("/api/runs/{id}", out _));
        var old = await new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = _http.BaseAddress }.GetAsync("/runs/1/files/config.json");
        Assert.Equal((HttpStatusCode.PermanentRedirect, "/api/runs/1/files/config.json"), (old.StatusCode, old.Headers.Location?.OriginalString));   // old links still lead there
    }

    [Fact]
    public async Task ABodyThatIsNotTheJsonAnEndpointTakesIsA400ThatSaysWhy()
    {
        var notJson = await _http.PostAsync("/api/runs", new StringContent("datasetId=1", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, notJson.StatusCode);
        var problem = Assert.Single((await RunningLab.Json(notJson)).GetProperty("problems").EnumerateArray()).GetString()!;
        Assert.StartsWith("the request body is not the JSON this endpoint takes: ", problem);

        var wrongType = await _http.PostAsync("/api/runs", new StringContent("""{"datasetId": "one", "name": "x"}""", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, wrongType.StatusCode);
        Assert.Contains("$.datasetId", Assert.Single((await RunningLab.Json(wrongType)).GetProperty("problems").EnumerateArray()).GetString());

        // A config the engine could not train: every rule's problem, as the form and the CLI say it, and nothing queued.
        var untrainable = await _http.PostAsJsonAsync("/api/runs", new { datasetId = 1, name = "x", overrides = new[] { "model.dropout=2", "backbone.out_layers=[9]" } });
        Assert.Equal(HttpStatusCode.BadRequest, untrainable.StatusCode);
        var problems = (await RunningLab.Json(untrainable)).GetProperty("problems").EnumerateArray().Select(p => p.GetString()).ToList();
        Assert.Contains("model.dropout 2 must be in [0, 1)", problems);
        Assert.Contains("backbone.out_layers [9]: Resnet18 has layers 1 to 4; give distinct ones", problems);
        Assert.Equal(0, (await RunningLab.Json(await _http.GetAsync("/api/runs"))).GetProperty("total").GetInt32());
    }

    /// <summary>Whatever the client accepts and whatever it leaves out, an error is answered as problem details.</summary>
    [Fact]
    public async Task EveryErrorIsProblemDetailsWhateverTheRequest()
    {
        using var csv = new HttpRequestMessage(HttpMethod.Get, "/api/runs/999/files/results.json") { Headers = { { "Accept", "text/csv" } } };
        var notFound = await _http.SendAsync(csv);
        Assert.Equal((HttpStatusCode.NotFound, "application/problem+json"), (notFound.StatusCode, notFound.Content.Headers.ContentType!.MediaType));
        Assert.Equal("run 999 does not exist", (await RunningLab.Json(notFound)).GetProperty("detail").GetString());

        var nameless = await _http.PostAsJsonAsync("/api/datasets", new { upload = "0123" });
        Assert.Equal(HttpStatusCode.BadRequest, nameless.StatusCode);
        Assert.Contains("'name'", Assert.Single((await RunningLab.Json(nameless)).GetProperty("problems").EnumerateArray()).GetString());

        Assert.Equal(HttpStatusCode.NotFound, (await _http.PostAsync("/api/studies/999/cancel", null)).StatusCode);
        using var fromAnotherSite = new HttpRequestMessage(HttpMethod.Post, "/api/studies/999/cancel") { Headers = { { "Origin", "http://evil.example" } } };
        var forged = await _http.SendAsync(fromAnotherSite);                        // a page elsewhere posting to the laptop's lab
        Assert.Equal(HttpStatusCode.Forbidden, forged.StatusCode);
        Assert.Contains("another site (http://evil.example)", (await RunningLab.Json(forged)).GetProperty("detail").GetString());
        var blankGroup = await _http.PostAsJsonAsync("/api/runs/cancel", new { group = "" });
        Assert.Equal(HttpStatusCode.BadRequest, blankGroup.StatusCode);
    }

    public void Dispose()
    {
        _http.Dispose();
        _lab.Dispose();
    }
}
