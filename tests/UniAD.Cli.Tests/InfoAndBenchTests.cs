namespace UniAD.Cli.Tests;

/// <summary>The commands that describe the machine and a config, without a dataset.</summary>
public class InfoAndBenchTests
{
    [Fact]
    public void InfoShowsTheDeviceTheBackboneAndTheParameterCount()
    {
        var info = Uniad.Succeeds("info", "--preset", "quick");
        Assert.Matches(@"(?m)^device\s+\S+", info.Stdout);
        Assert.Matches(@"(?m)^backbone\s+Resnet18, layers 2,3, input 128x128", info.Stdout);
        Assert.Matches(@"(?m)^UniAD parameters\s+\d[\d,.]* trainable", info.Stdout);
    }

    [Fact]
    public void InfoNeedsNoWeightsForThePaperConfig()
    {
        var info = Uniad.Succeeds("info", "--preset", "paper-mvtec");
        Assert.Matches(@"(?m)^aligned features\s+272 channels on a 14x14 grid", info.Stdout);
        Assert.Matches(@"(?m)^UniAD parameters\s+7[,.]?717[,.]?392 trainable", info.Stdout);   // the official MVTec-AD model
        Assert.Matches(@"(?m)^weights\s+none set: training, evaluation and prediction need backbone.weights_path", info.Stdout);
    }

    [Fact]
    public void BenchPrintsGemmAndTrainingThroughput()
    {
        var bench = Uniad.Succeeds("bench", "--preset", "quick", "--steps", "1", "--batch-size", "2",
            "--set", "model.encoder_layers=1", "--set", "model.decoder_layers=1");
        Assert.Matches(@"(?m)^GEMM 1024x1024 fp32: [\d.]+ GFLOP/s", bench.Stdout);
        Assert.Matches(@"(?m)^train: [\d.]+ images/s", bench.Stdout);
    }

    [Fact]
    public void BenchNeedsNoWeightsForThePaperConfig()
    {
        var bench = Uniad.Succeeds("bench", "--preset", "paper-mvtec", "--steps", "1", "--batch-size", "1");
        Assert.Matches(@"(?m)^config: 272 channels, 14x14 tokens, batch 1", bench.Stdout);
        Assert.Matches(@"(?m)^train: [\d.]+ images/s", bench.Stdout);
        Assert.Matches(@"(?m)^inference: [\d.]+ images/s", bench.Stdout);
    }
}
