using Microsoft.ML.OnnxRuntime;
using UniAD.Core.Backbones;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace UniAD.Core.Tests.Backbones;

/// <summary>The pretrained network, loaded once for the tests that need real weights.</summary>
public sealed class PretrainedResNet18 : IDisposable
{
    public ResNet18Cntk Model { get; } = ResNet18CntkWeights.FromOnnx(ResNet18CntkWeights.DefaultModelPath(), [1, 2, 3, 4]);
    public void Dispose() => Model.Dispose();
}

public class ResNet18CntkTests(PretrainedResNet18 pretrained, ITestOutputHelper log) : IClassFixture<PretrainedResNet18>
{
    // ReLU outputs of stages 1-4 in the CNTK graph, and its global average pool.
    static readonly string[] TapNames = ["ReLU283_Output_0", "ReLU315_Output_0", "ReLU347_Output_0", "ReLU393_Output_0"];
    const string PoolName = "Pooling395_Output_0";

    [Fact]
    public void MatchesOnnxRuntimeAtEveryTap()
    {
        const int size = 224;
        var rgb = PseudoRandomImage(size, size, seed: 20240611);

        // ONNX Runtime gets what Input247 expects: BGR on 0..255 minus the channel means of the
        // preprocessing model's mean image (computed here independently of the module's constants).
        var means = PreprocessChannelMeans();
        var bgr = new float[rgb.Length];
        int plane = size * size;
        for (int c = 0; c < 3; c++)
            for (int i = 0; i < plane; i++)
                bgr[c * plane + i] = rgb[(2 - c) * plane + i] * 255f - means[c];

        var model = File.ReadAllBytes(ResNet18CntkWeights.DefaultModelPath());
        using var session = new InferenceSession([.. model, .. Proto.ExtraGraphOutputs(TapNames)]);
        using var input = OrtValue.CreateTensorValueFromMemory(bgr, [1, 3, size, size]);
        using var run = new RunOptions();
        string[] outputs = [.. TapNames, PoolName];
        using var expected = session.Run(run, ["Input247"], [input], outputs);

        using var scope = NewDisposeScope();
        var taps = pretrained.Model.call(tensor(rgb, 1, 3, size, size));
        var pooled = taps[3].mean([2, 3], keepdim: true);
        foreach (var (actual, i) in taps.Append(pooled).Select((t, i) => (t, i)))
        {
            var reference = expected[i].GetTensorDataAsSpan<float>().ToArray();
            Assert.Equal(expected[i].GetTensorTypeAndShape().Shape, actual.shape);
            double error = MaxRelativeError(actual.data<float>().ToArray(), reference);
            log.WriteLine($"{outputs[i]}: max relative error {error:E2}");
            Assert.True(error <= 1e-4, $"{outputs[i]}: max|ours - ORT| / max|ORT| = {error:E2}");
        }
    }

    [Theory]
    [InlineData(256, 192)]
    [InlineData(225, 199)]   // odd sizes: CNTK "same" padding gives ⌈H/s⌉
    public void ReturnsOnlyRequestedTapsAtTheirStrides(int height, int width)
    {
        using var model = new ResNet18Cntk([4, 2]);
        model.Freeze();
        Assert.Equal([new FeatureTap(2, 128, 8), new FeatureTap(4, 512, 32)], model.Taps);

        using var scope = NewDisposeScope();
        var taps = model.call(rand(2, 3, height, width));
        Assert.Equal(model.Taps.Count, taps.Length);
        foreach (var (tap, map) in model.Taps.Zip(taps))
            Assert.Equal([2L, tap.Channels, Ceil(height, tap.Stride), Ceil(width, tap.Stride)], map.shape);
    }

    [Fact]
    public void SkipsStagesAfterTheLastRequestedTap()
    {
        using var full = new ResNet18Cntk([1, 2, 3, 4]);
        using var early = new ResNet18Cntk([1]);
        Assert.True(ParameterCount(early) < ParameterCount(full) / 50);
    }

    [Fact]
    public void HasTheCntkParameterCount()
    {
        // 15,908,800 counts every ONNX initializer value: conv weights and BN scale/bias (15,897,152
        // trainable parameters) plus the BN running means and variances (11,648).
        var model = pretrained.Model;
        long runningStats = model.named_buffers()
            .Where(b => b.name.EndsWith("running_mean") || b.name.EndsWith("running_var")).Sum(b => b.buffer.numel());
        Assert.Equal(15_897_152, ParameterCount(model));
        Assert.Equal(15_908_800, ParameterCount(model) + runningStats);
        Assert.All(model.parameters(), p => Assert.False(p.requires_grad));
        Assert.False(model.training);
    }

    [Fact]
    public void MissingModelFileIsAClearError()
    {
        string missing = Path.Combine(Path.GetTempPath(), $"no-such-dir-{Guid.NewGuid():N}", "ResNet18.onnx");
        var e = Assert.Throws<InvalidFileException>(() => ResNet18CntkWeights.FromOnnx(missing, [1]));
        Assert.Contains(missing, e.Message);
        Assert.Contains("Microsoft.ML.DnnImageFeaturizer.ResNet18", e.Message);

        var empty = new DirectoryInfo(TestScratch.NewFolder("empty"));
        try
        {
            var d = Assert.Throws<InvalidFileException>(() => ResNet18CntkWeights.DefaultModelPath(empty.FullName));
            Assert.Contains(Path.Combine(empty.FullName, "DnnImageModels", "ResNet18Onnx", "ResNet18.onnx"), d.Message);
        }
        finally { empty.Delete(); }
        Assert.True(File.Exists(ResNet18CntkWeights.DefaultModelPath()));
    }

    /// <summary>max|a − b| / max|b|: the worst absolute error relative to the reference's scale.</summary>
    static double MaxRelativeError(float[] actual, float[] reference)
    {
        double maxError = 0, scale = 0;
        for (int i = 0; i < reference.Length; i++)
        {
            maxError = Math.Max(maxError, Math.Abs(actual[i] - reference[i]));
            scale = Math.Max(scale, Math.Abs(reference[i]));
        }
        return maxError / scale;
    }

    /// <summary>B, G, R means of MeanImage in ResNetPreprocess.onnx (the package's build copies it to the output).</summary>
    static float[] PreprocessChannelMeans()
    {
        var graph = OnnxModelReader.Read(Path.Combine(AppContext.BaseDirectory, "DnnImageModels", "ResNetPrepOnnx", "ResNetPreprocess.onnx"));
        var image = graph.Initializers["MeanImage"];   // 1×3×224×224, BGR
        int plane = image.Data.Length / 3;
        return Enumerable.Range(0, 3).Select(c => (float)image.Data.AsSpan(c * plane, plane).ToArray().Average(v => (double)v)).ToArray();
    }

    /// <summary>1×3×H×W values in [0, 1], the same on every run.</summary>
    static float[] PseudoRandomImage(int height, int width, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, 3 * height * width).Select(_ => random.NextSingle()).ToArray();
    }

    static long ParameterCount(nn.Module module) => module.parameters().Sum(p => p.numel());
    static long Ceil(int size, int stride) => (size + stride - 1) / stride;
}
