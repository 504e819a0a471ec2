using System.Diagnostics;
using TorchSharp;
using TorchSharp.Modules;
using UniAD.Core.Configuration;
using UniAD.Core.Model;
using static TorchSharp.torch;

namespace UniAD.Core.Training;

/// <summary>What the caller wants to hear about while a run trains.</summary>
public sealed record TrainingHooks(
    string? CheckpointPath = null,
    IProgress<TrainingProgress>? Progress = null,
    Action<EpochSummary>? EpochFinished = null,
    Func<UniadModel, int, TestEvaluation>? EvaluateTest = null);   // (model, epoch): every training.evaluate_every_epochs and after the last

/// <summary>UniAD's optimisation (docs/model.md section 4): MSE between the reconstruction and the clean
/// aligned features, AdamW (weight decay on every parameter), global gradient-norm clipping, StepLR.
/// Trains from cached features, so an epoch costs only the transformer.</summary>
public sealed class Trainer : IDisposable
{
    private readonly UniadConfig _config;
    private readonly Device _device;
    private readonly OptimizerHelper _optimizer;
    private readonly Generator _shuffle;

    public UniadModel Model { get; }
    /// <summary>The config it trains with: on a resume, the checkpoint's.</summary>
    public UniadConfig Config => _config;
    public TrainingState State { get; private set; }

    private Trainer(UniadConfig config, Device device, UniadModel model, TrainingState state)
    {
        (_config, _device, Model, State) = (config, device, model, state);
        var t = config.Training;
        _optimizer = optim.AdamW(model.parameters(), lr: t.LearningRate, weight_decay: t.WeightDecay);
        _shuffle = new Generator((ulong)t.Seed);
    }

    /// <summary>A fresh run: the seed fixes the initial weights, the shuffling, jitter and dropout.</summary>
    public static Trainer Start(UniadConfig config, int channels, int gridHeight, int gridWidth, string featureFingerprint, Device device)
    {
        manual_seed(config.Training.Seed);
        var model = new UniadModel(config.Model, channels, gridHeight, gridWidth);
        model.to(device);
        return new Trainer(config, device, model,
            new TrainingState(0, 0, channels, gridHeight, gridWidth, featureFingerprint, []));
    }

    /// <summary>A run that goes on from weights trained elsewhere (an official checkpoint): fresh AdamW moments, as the
    /// official resume starts with (it does not restore the optimizer), and a shuffling stream seeded anew.</summary>
    public static Trainer FromWeights(UniadConfig config, UniadModel model, TrainingState state, Device device)
    {
        manual_seed(config.Training.Seed);                                 // jitter and dropout of the training that may follow
        model.to(device);
        return new Trainer(config, device, model, state);
    }

    /// <summary>Continues a checkpointed run where it stopped, with the checkpoint's own config; only the number of
    /// epochs may be given anew (to extend a finished run).</summary>
    public static Trainer Resume(Checkpoint checkpoint, Device device, int? epochs = null)
    {
        var config = checkpoint.Config with { Training = checkpoint.Config.Training with { Epochs = epochs ?? checkpoint.Config.Training.Epochs } };
        var trainer = new Trainer(config, device, checkpoint.CreateModel(device), checkpoint.State);
        checkpoint.RestoreTrainingState(trainer._optimizer, trainer._shuffle);
        return trainer;
    }

    /// <summary>StepLR in closed form for 0-based <paramref name="epoch"/>. The official loop calls
    /// <c>lr_scheduler.step(epoch)</c> after training epoch e, which sets the rate of epoch e + 1 to
    /// base · γ^⌊e / step⌋; so epoch e trains at base · γ^⌊(e − 1) / step⌋, and epoch 0 at base
    /// (docs/model.md section 4). <see cref="EngineBehaviour.LabV1"/> runs stepped one epoch early.</summary>
    public static double LearningRateAt(TrainingConfig t, int epoch)
    {
        int stepped = t.LrStepTiming == EngineBehaviour.LabV1 ? epoch : Math.Max(epoch - 1, 0);
        return t.LearningRate * Math.Pow(t.LrGamma, stepped / t.LrStepEpochs);
    }

    /// <summary>One optimisation step on a batch of aligned features (B×C×H×W, any float dtype, on the
    /// trainer's device): reconstruct, MSE against the clean features, backward, clip, AdamW.</summary>
    /// <returns>The batch loss.</returns>
    public double Step(Tensor batch)
    {
        using var scope = NewDisposeScope();
        var target = batch.to(float32);                                    // clean: jitter happens inside the model
        var (reconstruction, _) = Model.forward(target);
        var loss = nn.functional.mse_loss(reconstruction, target);
        _optimizer.zero_grad();
        loss.backward();
        nn.utils.clip_grad_norm_(Model.parameters(), _config.Training.ClipGradNorm);
        _optimizer.step();
        return loss.item<float>();
    }

    /// <param name="trainFeatures">N×C×H×W aligned features of the training images (any float dtype, CPU).</param>
    public void Train(Tensor trainFeatures, TrainingHooks hooks, CancellationToken cancel = default)
    {
        var t = _config.Training;
        if (trainFeatures.shape[1] != State.Channels)
            throw new ArgumentException($"features have {trainFeatures.shape[1]} channels, the model expects {State.Channels}");
        long count = trainFeatures.shape[0];
        int stepsPerEpoch = (int)((count + t.BatchSize - 1) / t.BatchSize);   // drop_last=False, as the official loader
        using var features = trainFeatures.to(_device);
        var clock = Stopwatch.StartNew();
        long stepsThisSession = 0, totalStepsLeft = (long)(t.Epochs - State.CompletedEpochs) * stepsPerEpoch;

        for (int epoch = State.CompletedEpochs; epoch < t.Epochs; epoch++)
        {
            double lr = LearningRateAt(t, epoch);
            foreach (var group in _optimizer.ParamGroups) group.LearningRate = lr;
            Model.train();
            var epochClock = Stopwatch.StartNew();
            double lossSum = 0;
            using var order = randperm(count, generator: _shuffle);
            for (int step = 0; step < stepsPerEpoch; step++)
            {
                cancel.ThrowIfCancellationRequested();
                using var scope = NewDisposeScope();
                var index = order.narrow(0, step * t.BatchSize, Math.Min(t.BatchSize, count - step * t.BatchSize)).to(_device);
                double lossValue = Step(features.index_select(0, index));
                lossSum += lossValue;
                stepsThisSession++;
                var elapsed = clock.Elapsed;
                var remaining = TimeSpan.FromSeconds(elapsed.TotalSeconds / stepsThisSession * (totalStepsLeft - stepsThisSession));
                State = State with { GlobalStep = State.GlobalStep + 1 };
                hooks.Progress?.Report(new TrainingProgress(epoch + 1, t.Epochs, step + 1, stepsPerEpoch, State.GlobalStep,
                    lossValue, lr, stepsThisSession * (double)t.BatchSize / elapsed.TotalSeconds, elapsed, remaining));
            }
            var summary = new EpochSummary(epoch + 1, lossSum / stepsPerEpoch, lr, epochClock.Elapsed.TotalSeconds);
            State = State with { CompletedEpochs = epoch + 1, History = [.. State.History, summary] };
            bool last = epoch + 1 == t.Epochs;
            // Evaluation draws no random numbers (eval mode: no jitter, no dropout), so it never changes the training
            // that follows. The last epoch is always evaluated, so its metrics are in the checkpoint too.
            if (hooks.EvaluateTest is not null && (last || t.EvaluateEveryEpochs > 0 && (epoch + 1) % t.EvaluateEveryEpochs == 0))
                State = State with { Evaluations = [.. State.TestEvaluations, hooks.EvaluateTest(Model, epoch + 1)] };
            hooks.EpochFinished?.Invoke(summary);
            if (hooks.CheckpointPath is not null && (last || (epoch + 1) % Math.Max(1, t.CheckpointEveryEpochs) == 0))
                SaveCheckpoint(hooks.CheckpointPath, State);
        }
    }

    /// <summary>Everything needed to continue exactly from here, with <paramref name="state"/> as where the run stands.</summary>
    public void SaveCheckpoint(string path, TrainingState state)
    {
        State = state;
        Checkpoint.Save(path, _config, State, Model, _optimizer, _shuffle);
    }

    public void Dispose()
    {
        Model.Dispose();
        _shuffle.Dispose();
    }
}
