using UniAD.Lab.Runs;

namespace UniAD.Lab.Tests;

[Collection(TorchRng.Name)]
public abstract class RunEstimatorTests(DatabaseProvider database)
{
    [Collection(TorchRng.Name)] public sealed class OnSqlite() : RunEstimatorTests(DatabaseProvider.Sqlite);
    [Collection(TorchRng.Name)] public sealed class OnPostgres() : RunEstimatorTests(DatabaseProvider.Postgres);

    [Fact]
    public async Task TheEstimateComesFromFinishedRunsOfTheSameShapeOnTheSameDevice()
    {
        using var lab = new Lab(database);
        int datasetId = await lab.ImportTinyAsync();
        var estimator = lab.Get<RunEstimator>();
        var config = TinyDataset.Config(epochs: 2);
        var spec = Lab.SpecOf(datasetId, config, [1], "first");
        Assert.Null(await estimator.EstimateAsync(await lab.Requests.PlanAsync(spec)));      // nothing measured yet

        int id = (await lab.Requests.QueueAsync(spec, "tester"))[0];
        lab.Job().Run(id, CancellationToken.None);
        double speed = (await lab.Queries.GetAsync(id))!.Progress.ImagesPerSecond!.Value;

        var longer = spec with { Epochs = 10, Categories = ["nut"] };
        var estimate = (await estimator.EstimateAsync(await lab.Requests.PlanAsync(longer)))!;
        Assert.Equal((8, 1), (estimate.TrainImages, estimate.BasedOnRuns));
        Assert.Equal(10 * 8 / speed, estimate.Training.TotalSeconds, 1e-6);     // a TimeSpan holds 100 ns ticks
        var otherShape = longer with { Overrides = [.. longer.Overrides!, "model.hidden_dim=64"] };
        Assert.Null(await estimator.EstimateAsync(await lab.Requests.PlanAsync(otherShape)));
        Assert.Null(await estimator.EstimateAsync(await lab.Requests.PlanAsync(longer with { Device = "cuda" })));
    }
}
