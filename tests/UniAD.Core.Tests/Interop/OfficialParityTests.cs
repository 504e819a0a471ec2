using System.Collections;
using TorchSharp;
using TorchSharp.PyBridge;
using UniAD.Core.Configuration;
using UniAD.Core.Interop;
using UniAD.Core.Model;
using UniAD.Core.Training;
using static TorchSharp.torch;

namespace UniAD.Core.Tests.Interop;

/// <summary>The lab's model against the official code's own outputs (OfficialParity/README.md): the official weights go
/// through a checkpoint written by real PyTorch in the layout of <c>tools/train_val.py</c> and the importer's mapping.</summary>
[Collection(GlobalTorchRng.Name)]
public sealed class OfficialParityTests : IClassFixture<OfficialParityTests.Inputs>
{
    public sealed class Inputs : IDisposable
    {
        private readonly string _folder = TestScratch.NewFolder("uniad-parity");
        public string Checkpoint { get; }
        public Dictionary<string, Tensor> Io { get; }

        public Inputs()
        {
            Checkpoint = Path.Combine(_folder, "ckpt.pth.tar");
            OfficialTorch.Wrap(OfficialTorch.Fixture("recon_weights.pth"), Checkpoint);
            Io = PyTorchUnpickler.UnpickleStateDict(OfficialTorch.Fixture("recon_io.pth")).Cast<DictionaryEntry>()
                .ToDictionary(e => (string)e.Key, e => (Tensor)e.Value!);
        }

        public void Dispose()
        {
            StateDict.DisposeAll(Io.Values);
            Directory.Delete(_folder, recursive: true);
        }
    }

    private readonly Inputs _inputs;

    public OfficialParityTests(Inputs inputs) => _inputs = inputs;

    /// <summary>The official MVTec-AD reconstruction, as the fixture README describes it.</summary>
    private static ReconstructionConfig MvtecConfig(bool training = false) => training
        ? new ReconstructionConfig { Dropout = 0, FeatureJitter = new FeatureJitterConfig { Enabled = false } }
        : new ReconstructionConfig();

    private UniadModel Imported(ReconstructionConfig config)
    {
        using var checkpoint = OfficialCheckpoint.Read(_inputs.Checkpoint);
        Assert.Equal(7, checkpoint.Epoch);
        var model = new UniadModel(config, 272, 14, 14);
        StateDict.LoadStrict(model, checkpoint.Part(OfficialCheckpoint.Reconstruction), "ckpt.pth.tar", "the official reconstruction");
        return model;
    }

    /// <summary>max |actual − expected| / max |expected|.</summary>
    private static double RelativeError(Tensor actual, Tensor expected) =>
        (actual - expected).abs().max().to(float64).item<double>() / expected.abs().max().to(float64).item<double>();

    [Theory]
    [InlineData(false, 1e-5)]
    [InlineData(true, 1e-12)]
    public void EvalOutputsMatchTheOfficialCode(bool fp64, double tolerance)
    {
        using var scope = NewDisposeScope();
        using var model = Imported(MvtecConfig());
        model.eval();
        var input = _inputs.Io["input"];
        string suffix = fp64 ? "_fp64" : "";
        if (fp64)
        {
            model.to(float64);
            input = input.to(float64);
        }
        using var _ = no_grad();
        var (featureRec, map) = model.forward(input);
        void Agrees(string name, Tensor actual)
        {
            double error = RelativeError(actual, _inputs.Io[name + suffix].reshape(actual.shape));
            Assert.True(error <= tolerance, $"{name}{suffix}: relative error {error:G3}, tolerance {tolerance:G3}");
        }
        Agrees("feature_rec", featureRec);
        Agrees("pred14", map);
        Agrees("pred224", UniadModel.UpsampleMap(map, 224, 224));
        Agrees("loss", nn.functional.mse_loss(featureRec, input));
    }

    [Fact]
    public void ThreeAdamWStepsGiveTheOfficialLosses()
    {
        double[] official = [2.049654006958008, 1.7980624437332153, 1.6410635709762573, 1.520180106163025];
        var config = new UniadConfig { Model = MvtecConfig(training: true) };
        using var trainer = Trainer.FromWeights(config, Imported(config.Model), new TrainingState(0, 0, 272, 14, 14, "official", []), CPU);
        var input = _inputs.Io["input"];
        var losses = Enumerable.Range(0, 3).Select(_ => trainer.Step(input)).ToList();
        trainer.Model.train();
        using (no_grad())
        {
            var (featureRec, _) = trainer.Model.forward(input);
            using var after = nn.functional.mse_loss(featureRec, input);
            losses.Add(after.item<float>());
        }
        for (int i = 0; i < official.Length; i++)
            Assert.True(Math.Abs(losses[i] - official[i]) <= 1e-6 * official[i], $"loss {i}: {losses[i]:R}, official {official[i]:R}");
    }
}
