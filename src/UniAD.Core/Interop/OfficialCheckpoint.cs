using System.Collections;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace UniAD.Core.Interop;

/// <summary>The checkpoint the official <c>tools/train_val.py</c> writes (<c>ckpt.pth.tar</c>, docs/model.md section 6):
/// <c>torch.save</c> of <c>{"epoch", "arch", "state_dict", "best_metric", "optimizer"}</c>. The state dict is the
/// DDP-wrapped model's, so every key is <c>module.</c>, the <c>net[].name</c> of its part (<c>backbone</c>,
/// <c>neck</c>, <c>reconstruction</c>), then the part's own key.</summary>
public sealed class OfficialCheckpoint : IDisposable
{
    public const string Ddp = "module.", Backbone = "backbone", Reconstruction = "reconstruction";

    /// <summary>Epochs trained (the official loop saves epoch + 1).</summary>
    public required int Epoch { get; init; }
    /// <summary>The official key metric of the best evaluation so far (mean pixel AUROC for MVTec-AD), if any.</summary>
    public double? BestMetric { get; init; }
    /// <summary>Each part's tensors, keyed without <c>module.part.</c>.</summary>
    public required IReadOnlyDictionary<string, Dictionary<string, Tensor>> Parts { get; init; }

    public IReadOnlyDictionary<string, Tensor> Part(string name) =>
        Parts.TryGetValue(name, out var tensors) ? tensors : new Dictionary<string, Tensor>();

    /// <exception cref="InvalidFileException">Not a PyTorch file, or not the official layout; the message names what is wrong.</exception>
    /// <param name="name">What to call the file in messages (default: its name).</param>
    public static OfficialCheckpoint Read(string path, string? name = null)
    {
        if (!File.Exists(path)) throw new InvalidFileException($"checkpoint not found: {path}");
        name ??= Path.GetFileName(path);
        var top = TorchFile.Read(path, name);
        if (top["state_dict"] is not Hashtable stateDict)
            throw new InvalidFileException(top.Values.OfType<Tensor>().Any()
                ? $"{name} is a bare state dict, not a checkpoint of the official code (which holds \"epoch\", \"state_dict\" and \"best_metric\")"
                : $"{name} is not a checkpoint of the official code: it has no \"state_dict\" (it has {string.Join(", ", top.Keys.Cast<object>().Select(k => $"\"{k}\""))})");
        var parts = new Dictionary<string, Dictionary<string, Tensor>>();
        foreach (DictionaryEntry entry in stateDict)
        {
            var key = (string)entry.Key;
            var tensor = entry.Value as Tensor
                ?? throw new InvalidFileException($"{name}: state_dict key {key} holds a {entry.Value?.GetType().Name ?? "None"}, not a tensor");
            var local = key.StartsWith(Ddp, StringComparison.Ordinal) ? key[Ddp.Length..] : key;
            int dot = local.IndexOf('.');
            var part = dot < 0 ? "" : local[..dot];
            if (!parts.TryGetValue(part, out var tensors)) parts[part] = tensors = [];
            tensors[dot < 0 ? local : local[(dot + 1)..]] = tensor;
        }
        return new OfficialCheckpoint
        {
            Epoch = top["epoch"] is { } epoch ? Convert.ToInt32(epoch) : 0,
            BestMetric = top["best_metric"] is { } best ? Convert.ToDouble(best) : null,
            Parts = parts,
        };
    }

    /// <summary>Writes the official layout, readable by <c>torch.load</c>. <paramref name="arch"/> is the
    /// <c>net</c> list of the config, which the official code stores there; no optimizer state is written, since the
    /// official resume does not load it (its line is commented out).</summary>
    public void Write(string path, IList arch)
    {
        var stateDict = new Dictionary<string, Tensor>();
        foreach (var (part, tensors) in Parts)
            foreach (var (key, tensor) in tensors) stateDict[$"{Ddp}{part}.{key}"] = tensor;
        var checkpoint = new Hashtable
        {
            ["epoch"] = Epoch, ["arch"] = arch, ["state_dict"] = stateDict, ["best_metric"] = BestMetric,
        };
        var temporary = path + ".tmp";
        using (var file = File.Create(temporary)) PyTorchPickler.PickleStateDict(file, checkpoint);
        File.Move(temporary, path, overwrite: true);
    }

    public void Dispose()
    {
        foreach (var tensors in Parts.Values) StateDict.DisposeAll(tensors.Values);
    }
}
