using System.IO.Compression;
using System.Net.Http.Json;
using System.Text.Json;
using UniAD.Core.Data.Demo;

namespace UniAD.Lab.Tests.EndToEnd;

/// <summary>What the lab tests feed the real lab: a small generated dataset as a zip, and the engine's tiny test config
/// as New run overrides.</summary>
public static class TinyLabData
{
    /// <summary>A 4×4 token grid and a two-layer transformer.</summary>
    public static readonly string[] Overrides =
    [
        "backbone.input_size=[64,64]", "model.hidden_dim=32", "model.heads=4", "model.feed_forward_dim=64", "model.encoder_layers=1",
        "model.decoder_layers=2", "model.neighbor_mask.size=[3,3]", "evaluation.avg_pool_kernel=8", "training.checkpoint_every_epochs=1",
    ];

    /// <summary>fabric and nut, 64-pixel images: 6 training images each; 2 good test images and one per defect type.</summary>
    public static string Zip()
    {
        var folder = TestScratch.NewFolder("tiny-source");
        DemoDataset.Generate(folder, new DemoDatasetOptions
        {
            ImageSize = 64, TrainPerCategory = 6, TestGoodPerCategory = 2, TestPerDefect = 1, Seed = 3, Categories = ["fabric", "nut"],
        });
        var zip = folder + ".zip";
        ZipFile.CreateFromDirectory(folder, zip);
        Directory.Delete(folder, recursive: true);
        return zip;
    }

    /// <summary>Uploads <see cref="Zip"/> to the lab (as its tests' user) and stores it as dataset "tiny"; returns its id.</summary>
    public static async Task<int> ImportAsync(RunningLab lab)
    {
        using var http = lab.Client();
        using var zip = new StreamContent(File.OpenRead(Zip()));
        zip.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/zip");   // as a browser sends it
        var upload = JsonDocument.Parse(await (await http.PostAsync("/api/uploads", zip)).Content.ReadAsStringAsync()).RootElement;
        var imported = await http.PostAsJsonAsync("/api/datasets", new { name = "tiny", upload = upload.GetProperty("upload").GetString() });
        Assert.True(imported.IsSuccessStatusCode, await imported.Content.ReadAsStringAsync());
        return JsonDocument.Parse(await imported.Content.ReadAsStringAsync()).RootElement.GetProperty("dataset").GetProperty("id").GetInt32();
    }
}
