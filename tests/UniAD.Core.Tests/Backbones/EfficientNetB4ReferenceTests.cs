using System.Text.Json;
using UniAD.Core.Backbones;
using static TorchSharp.torch;

namespace UniAD.Core.Tests.Backbones;

/// <summary>Compares against features the official UniAD EfficientNet code computed (float64) with
/// formula weights, see Reference/make_efficientnet_b4_reference.py: both sides fill every tensor with
/// the same closed formula, so no weights file is needed.</summary>
public class EfficientNetB4ReferenceTests
{
    private static readonly string ReferencePath =
        Path.Combine(AppContext.BaseDirectory, "Backbones", "Reference", "efficientnet_b4_reference.json");

    private sealed record TapReference(long[] Shape, double Mean, double MeanAbs, long[] SampleIndices, double[] SampleValues);
    private sealed record Reference(TapReference[] Taps);

    // Measured: float32 here vs float64 there differ by at most ~1.3e-6 of a tap's mean |x|;
    // the wrong pads give ~1e-2.
    private const double RelativeTolerance = 1e-4;

    private static Reference Load() =>
        JsonSerializer.Deserialize<Reference>(File.ReadAllText(ReferencePath),
            new JsonSerializerOptions { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower })!;

    [Fact]
    public void MatchesOfficialCodeAt224()
    {
        var reference = Load();
        using var model = FormulaModel([1, 2, 3, 4, 5], EfficientNetB4.DefaultNominalImageSize);
        using var scope = NewDisposeScope();
        var features = model.call(FormulaImage());

        Assert.Equal(reference.Taps.Length, features.Length);
        for (int t = 0; t < features.Length; t++)
        {
            var tap = reference.Taps[t];
            Assert.Equal(tap.Shape, features[t].shape);
            var flat = features[t].flatten().to(float64);
            double tolerance = RelativeTolerance * tap.MeanAbs;
            Assert.InRange(flat.mean().item<double>(), tap.Mean - tolerance, tap.Mean + tolerance);
            Assert.InRange(flat.abs().mean().item<double>(), tap.MeanAbs - tolerance, tap.MeanAbs + tolerance);
            var samples = flat.index_select(0, tensor(tap.SampleIndices)).data<double>().ToArray();
            for (int i = 0; i < samples.Length; i++)
                Assert.True(Math.Abs(samples[i] - tap.SampleValues[i]) <= tolerance,
                    $"tap {t + 1}, element {tap.SampleIndices[i]}: {samples[i]} vs official {tap.SampleValues[i]}");
        }
    }

    [Fact]
    public void PadsForTheRealInputSizeDoNotMatch()
    {
        // "SAME" pads for 224 itself differ from the official ones first at block 6 (1,2,1,2 vs 2,2,2,2):
        // tap 2 (block 5) still matches, tap 3 (block 9) does not.
        var reference = Load();
        using var model = FormulaModel([2, 3], nominalImageSize: 224);
        using var scope = NewDisposeScope();
        var features = model.call(FormulaImage());

        double MaxError(int tap) => features[tap - 2].flatten().to(float64)
            .index_select(0, tensor(reference.Taps[tap - 1].SampleIndices))
            .sub(tensor(reference.Taps[tap - 1].SampleValues)).abs().max().item<double>()
            / reference.Taps[tap - 1].MeanAbs;
        Assert.True(MaxError(2) < RelativeTolerance);
        Assert.True(MaxError(3) > 10 * RelativeTolerance, $"tap 3 relative error only {MaxError(3)}");
    }

    private static EfficientNetB4 FormulaModel(int[] outLayers, int nominalImageSize)
    {
        var model = new EfficientNetB4(outLayers, nominalImageSize);
        var state = model.state_dict();
        using (no_grad())
        {
            var keys = state.Keys.Order(StringComparer.Ordinal).ToList();
            for (int k = 0; k < keys.Count; k++)
                if (!keys[k].EndsWith("num_batches_tracked"))
                    state[keys[k]].copy_(FormulaWeight(keys[k], k, state[keys[k]]));
        }
        model.Freeze();
        return model;
    }

    private static Tensor FormulaWeight(string key, int index, Tensor like)
    {
        var s = sin(0.61803 * arange(like.numel(), dtype: float64) + 0.5 * index);
        var v = key.EndsWith("running_mean") || key.EndsWith("bias") ? 0.1 * s
            : key.EndsWith("running_var") ? 1 + 0.5 * s * s
            : like.dim() == 1 ? 1 + 0.2 * s                                  // BN gamma
            : s * Math.Sqrt(1.0 / (like.numel() / like.shape[0]));           // conv / linear, 1/(2 fan_in)
        return v.to(float32).reshape(like.shape);
    }

    private static Tensor FormulaImage() =>
        (0.5 + 0.5 * sin(0.37 * arange(3 * 224 * 224, dtype: float64))).to(float32).reshape(1, 3, 224, 224);
}
