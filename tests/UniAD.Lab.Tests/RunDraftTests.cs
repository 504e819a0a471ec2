using UniAD.Core;
using UniAD.Lab.Persistence;
using UniAD.Lab.Runs;

namespace UniAD.Lab.Tests;

/// <summary>The New run form's rules, without a browser.</summary>
public class RunDraftTests
{
    private static RunDraft Valid() => new() { DatasetId = 1, Name = "demo" };

    [Fact]
    public void APresetFillsTheFormAndAnAblationAndOverridesShapeTheConfig()
    {
        var draft = Valid();
        draft.ApplyPreset("paper-cifar");
        Assert.Equal((1000, 16, "131"), (draft.Epochs, draft.BatchSize, draft.Seeds));
        draft.ApplyPreset("quick");
        (draft.Ablation, draft.Seeds, draft.Epochs) = ("vanilla", "1, 2 3", 7);
        draft.Overrides = "model.hidden_dim=64\n# a comment\nbackbone.input_size=[96,96]";

        var request = draft.ToRequest("ada");
        Assert.Equal([1, 2, 3], request.Seeds);
        Assert.Equal((7, 64, 96), (request.Config.Training.Epochs, request.Config.Model.HiddenDim, request.Config.Backbone.InputSize[0]));
        Assert.Equal(Core.Configuration.QueryKind.None, request.Config.Model.Queries);
        Assert.False(request.Config.Model.NeighborMask.Enabled);
        Assert.Equal("quick vanilla", request.Preset);
    }

    [Theory]
    [InlineData("model.hiden_dim=64", "", "unknown key 'hiden_dim'")]
    [InlineData("", "one, two", "seed 'one' is not a whole number")]
    [InlineData("backbone.kind=EfficientnetB4", "1", "weights")]
    public void EveryProblemIsNamed(string overrides, string seeds, string expected)
    {
        var draft = Valid();
        draft.Overrides = overrides;
        if (seeds.Length > 0) draft.Seeds = seeds;
        Assert.Contains(draft.Problems(), p => p.Contains(expected));
        Assert.Throws<UserException>(() => draft.ToRequest("ada"));
    }

    [Fact]
    public void ADatasetAndANameAreRequired()
    {
        var problems = new RunDraft().Problems();
        Assert.Contains("choose a dataset", problems);
        Assert.Contains("give the run a name", problems);
    }
}

public class RunCloneTests
{
    [Fact]
    public void ACloneQueuesTheSameConfigAgain()
    {
        var draft = new RunDraft { DatasetId = 3, Name = "ablation", Categories = ["nut"], Ablation = "no-jitter", Seeds = "9", Overrides = "model.hidden_dim=64" };
        draft.ApplyPreset("quick");
        (draft.Seeds, draft.Epochs) = ("9", 12);
        var request = draft.ToRequest("ada");
        var run = new RunRecord
        {
            Name = request.Name, DatasetId = request.DatasetId, Categories = "nut", Preset = request.Preset, Seed = 9,
            ConfigJson = (request.Config with { Training = request.Config.Training with { Seed = 9 } }).ToJson(),
        };

        var clone = RunDraft.CloneOf(run);

        Assert.Equal(("quick", "ablation (copy)", 3, 12), (clone.Preset, clone.Name, clone.DatasetId, clone.Epochs));
        Assert.Equal(["nut"], clone.Categories);
        Assert.Contains("model.hidden_dim=64", clone.Overrides);
        Assert.Contains("model.feature_jitter.enabled=false", clone.Overrides);
        Assert.Equal(run.ConfigJson, (clone.ToRequest("ada").Config with { Training = clone.Config().Training with { Seed = 9 } }).ToJson());
    }
}
