using TorchSharp;
using TorchSharp.PyBridge;
using UniAD.Core.Backbones;
using static TorchSharp.torch;

namespace UniAD.Core.Tests.Backbones;

public class EfficientNetB4Tests
{
    private static readonly int[] AllLayers = [1, 2, 3, 4, 5];

    [Fact]
    public void ParameterCountsMatchOfficialB4()
    {
        using var model = new EfficientNetB4(AllLayers);
        var parameters = model.named_parameters().ToList();
        Assert.Equal(19_341_616, parameters.Sum(p => p.parameter.numel()));

        // Everything the UniAD taps [1,2,3,4] depend on: stem + blocks 0..21.
        static bool UpToBlock21(string name) =>
            name.StartsWith("_conv_stem.") || name.StartsWith("_bn0.")
            || (name.StartsWith("_blocks.") && int.Parse(name.Split('.')[1]) <= 21);
        Assert.Equal(3_635_984, parameters.Where(p => UpToBlock21(p.name)).Sum(p => p.parameter.numel()));
    }

    [Fact]
    public void StateDictUsesOfficialKeyNames()
    {
        using var model = new EfficientNetB4(AllLayers);
        var sd = model.state_dict();
        var expected = new Dictionary<string, long[]>
        {
            ["_conv_stem.weight"] = [48, 3, 3, 3],
            ["_bn0.running_var"] = [48],
            ["_blocks.0._depthwise_conv.weight"] = [48, 1, 3, 3],
            ["_blocks.0._se_reduce.weight"] = [12, 48, 1, 1],   // SE on the block's input filters
            ["_blocks.0._project_conv.weight"] = [24, 48, 1, 1],
            ["_blocks.2._expand_conv.weight"] = [144, 24, 1, 1],
            ["_blocks.2._bn0.weight"] = [144],
            ["_blocks.6._depthwise_conv.weight"] = [192, 1, 5, 5],
            ["_blocks.21._se_expand.bias"] = [960],
            ["_blocks.31._bn2.running_mean"] = [448],
            ["_conv_head.weight"] = [1792, 448, 1, 1],
            ["_bn1.weight"] = [1792],
            ["_fc.weight"] = [1000, 1792],
            ["_fc.bias"] = [1000],
        };
        foreach (var (key, shape) in expected)
        {
            Assert.True(sd.ContainsKey(key), $"missing {key}");
            Assert.Equal(shape, sd[key].shape);
        }
        // Expand ratio 1: no expansion conv in blocks 0 and 1.
        Assert.DoesNotContain(sd.Keys, k => k.StartsWith("_blocks.0._expand_conv") || k.StartsWith("_blocks.1._bn0"));
        Assert.Equal(32, model.Blocks.Count);
    }

    [Fact]
    public void StaticPadsAreThoseOf380EvenFor224Inputs()
    {
        using var model = new EfficientNetB4(AllLayers);
        Assert.Equal([0, 1, 0, 1], model.StemPad);
        Assert.Equal([1, 1, 1, 1], model.Blocks[0].DepthwisePad);    // k3 s1
        Assert.Equal([0, 1, 0, 1], model.Blocks[2].DepthwisePad);    // k3 s2 at 190
        Assert.Equal([2, 2, 2, 2], model.Blocks[6].DepthwisePad);    // k5 s2 at 95; "SAME" at 56 would be 1,2,1,2
        Assert.Equal([2, 2, 2, 2], model.Blocks[7].DepthwisePad);    // k5 s1
        Assert.Equal([0, 1, 0, 1], model.Blocks[10].DepthwisePad);   // k3 s2 at 48
        Assert.Equal([1, 2, 1, 2], model.Blocks[22].DepthwisePad);   // k5 s2 at 24
        Assert.Equal([1, 1, 1, 1], model.Blocks[31].DepthwisePad);
    }

    [Fact]
    public void NominalImageSizeChangesThePads()
    {
        // At a nominal 224 the pads are plain TF "SAME" for 224: block 6 sees 56 → (1, 2, 1, 2).
        Assert.Equal([1, 2, 1, 2], EfficientNetB4.StaticSamePad(56, 5, 2));
        using var model = new EfficientNetB4([1], nominalImageSize: 224);
        Assert.Equal([1, 2, 1, 2], model.Blocks[6].DepthwisePad);
    }

    [Fact]
    public void FeatureShapesFor224Input()
    {
        // UniAD's MVTec taps; layer 5 (448×7×7) is checked against the official code in
        // EfficientNetB4ReferenceTests.
        using var model = new EfficientNetB4([1, 2, 3, 4]);
        model.Freeze();
        using var scope = NewDisposeScope();
        var features = model.call(rand(1, 3, 224, 224));

        long[][] expected = [[1, 24, 112, 112], [1, 32, 56, 56], [1, 56, 28, 28], [1, 160, 14, 14]];
        Assert.Equal(expected.Length, features.Length);
        for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], features[i].shape);
        Assert.Equal(
            [new FeatureTap(1, 24, 2), new FeatureTap(2, 32, 4), new FeatureTap(3, 56, 8), new FeatureTap(4, 160, 16)],
            model.Taps);
        Assert.Equal(new FeatureTap(5, 448, 32), new EfficientNetB4([5]).Taps.Single());
    }

    [Fact]
    public void StoppingAtTheLastTapGivesTheSameFeatures()
    {
        using var full = new EfficientNetB4(AllLayers);
        using var partial = new EfficientNetB4([2, 3]);
        partial.load_state_dict(full.state_dict());
        full.Freeze();
        partial.Freeze();

        using var scope = NewDisposeScope();
        var image = rand(2, 3, 64, 64);
        var all = full.call(image);
        var some = partial.call(image);
        Assert.Equal(2, some.Length);
        Assert.True(Identical(all[1], some[0]));
        Assert.True(Identical(all[2], some[1]));
    }

    [Fact]
    public void RejectsInvalidOutLayers()
    {
        Assert.Throws<ArgumentException>(() => new EfficientNetB4([0, 1]));
        Assert.Throws<ArgumentException>(() => new EfficientNetB4([6]));
        Assert.Throws<ArgumentException>(() => new EfficientNetB4([3, 2]));
        Assert.Throws<ArgumentException>(() => new EfficientNetB4([]));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public void WithoutWeightsThereIsNoPretrainedBackbone(string? path)
    {
        var error = Assert.Throws<ConfigException>(() => EfficientNetB4Weights.FromFile(path, [1, 2, 3, 4]));
        Assert.Contains("efficientnet-b4-6ed6700e.pth", error.Message);
        Assert.Contains("backbone.weights_path", error.Message);
        Assert.Contains("refusing to train on random weights", error.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void MissingWeightsFileIsReported()
    {
        var path = Path.Combine(Path.GetTempPath(), $"no-such-{Guid.NewGuid():N}.pth");
        var error = Assert.Throws<InvalidFileException>(() => EfficientNetB4Weights.FromFile(path, [1]));
        Assert.Contains(path, error.Message);
    }

    [Theory]
    [InlineData(".pth")]
    [InlineData(".safetensors")]
    [InlineData(".legacy.pth")]                                           // PyTorch's pre-1.6 format, as files saved before 1.6
    public void SavedWeightsLoadBackIntoAFrozenIdenticalModel(string extension)
    {
        using var temp = new TempDir();
        var path = Path.Combine(temp.Path, "b4" + extension);
        using var source = new EfficientNetB4([1, 2, 3]);
        RandomiseBatchNorm(source);
        if (extension == ".pth") source.save_py(path);
        else if (extension == ".safetensors") source.save_safetensors(path);
        else
        {
            var zip = Path.Combine(temp.Path, "b4.zip.pth");
            source.save_py(zip);
            Interop.OfficialTorch.Resave(zip, path, legacy: true);             // by real PyTorch
        }

        using var loaded = EfficientNetB4Weights.FromFile(path, [1, 2, 3]);
        Assert.False(loaded.training);
        Assert.All(loaded.parameters(), p => Assert.False(p.requires_grad));

        source.Freeze();
        using var scope = NewDisposeScope();
        var image = rand(2, 3, 64, 64);
        var expected = source.call(image);
        var actual = loaded.call(image);
        for (int i = 0; i < expected.Length; i++) Assert.True(Identical(expected[i], actual[i]), $"tap {i} differs");
    }

    [Fact]
    public void MismatchedStateDictIsReportedInOneError()
    {
        using var temp = new TempDir();
        var path = Path.Combine(temp.Path, "bad.safetensors");
        using (var source = new EfficientNetB4(AllLayers))
        {
            var sd = source.state_dict();
            sd["_blocks.6._depthwise_conv.weight"] = zeros(192, 1, 3, 3);   // k3 where B4 has k5
            sd.Remove("_blocks.30._project_conv.weight");
            sd["_blocks.32._bn2.weight"] = zeros(448);
            Safetensors.SaveStateDict(path, sd);
        }

        var error = Assert.Throws<InvalidFileException>(() => EfficientNetB4Weights.FromFile(path, [1, 2, 3, 4]));
        Assert.Contains("_blocks.6._depthwise_conv.weight is [192, 1, 3, 3] in the file, [192, 1, 5, 5] in the model", error.Message);
        Assert.DoesNotContain("\n", error.Message);                      // one line
        Assert.Contains("missing keys (1): _blocks.30._project_conv.weight", error.Message);
        Assert.Contains("unexpected keys (1): _blocks.32._bn2.weight", error.Message);
    }

    private static bool Identical(Tensor a, Tensor b) => a.shape.SequenceEqual(b.shape) && a.eq(b).all().item<bool>();

    private static void RandomiseBatchNorm(nn.Module model)
    {
        using var _ = no_grad();
        foreach (var (name, tensor) in model.state_dict())
        {
            if (name.EndsWith("running_mean") || name.EndsWith("bias")) tensor.copy_(0.1 * randn_like(tensor));
            else if (name.EndsWith("running_var")) tensor.copy_(0.5 + rand_like(tensor));
            else if (name.Split('.')[^2].StartsWith("_bn") && name.EndsWith("weight")) tensor.copy_(1 + 0.1 * randn_like(tensor));
        }
    }

    private sealed class TempDir : IDisposable
    {
        public string Path { get; } = TestScratch.NewFolder("uniad-b4");
        public void Dispose() => Directory.Delete(Path, recursive: true);
    }
}
