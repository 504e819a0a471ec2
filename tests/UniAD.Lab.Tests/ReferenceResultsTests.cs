using UniAD.Core.Configuration;
using UniAD.Lab.References;

namespace UniAD.Lab.Tests;

/// <summary>The reference numbers ship as data inside the lab, and a run is shown beside them with what differs.</summary>
public class ReferenceResultsTests
{
    [Fact]
    public void TheReferencesLoadAndFollowTheirDatasetsProtocol()
    {
        Assert.Equal(9, ReferenceResults.All.Count);
        var mvtec = ReferenceResults.For("mvtec", []);
        Assert.Contains(mvtec, r => r.Id == "paper-abstract" && r.ImageAuroc == 0.965 && r.PixelAuroc == 0.968);
        Assert.Contains(mvtec, r => r.Id == "official-8gpu" && r.ImageAuroc == 0.967);
        Assert.All(ReferenceResults.For("class-folder", ["01234"]), r => Assert.Equal("cifar", r.Protocol));
        // The third-party rerun's mean is the mean of its categories, as the data says.
        var rerun = mvtec.Single(r => r.Id == "issue-6-rerun");
        Assert.Equal(15, rerun.Categories!.Count);
        Assert.Equal(rerun.ImageAuroc!.Value, rerun.Categories.Values.Average(), 0.0005);
    }

    [Fact]
    public void EverySettingThatDiffersIsNamed()
    {
        var paper = ReferenceResults.All.Single(r => r.Id == "paper-abstract");

        var quick = ReferenceResults.Differences(ReferenceResults.SettingsOf(Presets.QuickCpu, ""), "demo", unified: true, paper).ToDictionary(d => d.Setting);
        Assert.Equal(["dataset", "backbone", "input size", "epochs", "effective batch", "selection", "image score", "backbone features"], quick.Keys);
        Assert.Equal(("resnet18", "efficientnet_b4"), (quick["backbone"].Run, quick["backbone"].Reference));
        Assert.Equal("max of 8x8 average-pooled map", quick["image score"].Run);
        Assert.Equal("features rounded to fp16 (cached once; training.cache_features_half)", quick["backbone features"].Run);

        var faithful = Presets.PaperMvtec with { Training = Presets.PaperMvtec.Training with { BatchSize = 64 } };
        var close = ReferenceResults.Differences(ReferenceResults.SettingsOf(faithful, ""), "MVTec AD", unified: false, paper).Select(d => d.Setting);
        Assert.Equal(["model", "selection", "backbone features"], close);

        // A PatchCore run beside UniAD's numbers: the method first, and no epochs of its own.
        var baseline = ReferenceResults.Differences(ReferenceResults.SettingsOf(Presets.PatchCore, "largest patch score"), "MVTec AD", unified: true, paper)
            .ToDictionary(d => d.Setting);
        Assert.Equal(("patchcore", "uniad"), (baseline["method"].Run, baseline["method"].Reference));
        Assert.Equal("method", baseline.Keys.First());
        Assert.Equal(("0", "1000"), (baseline["epochs"].Run, baseline["epochs"].Reference));
        Assert.Equal("nothing trained (memory bank)", baseline["selection"].Run);
    }
}
