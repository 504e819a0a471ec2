using TorchSharp;
using static TorchSharp.torch;

namespace UniAD.Core.Interop;

/// <summary>Named tensors read from a file and copied into a module only when every key and shape matches.</summary>
public static class StateDict
{
    /// <summary>Reads what TorchSharp's <c>Module.save</c> wrote (an entry count, then name and tensor pairs) without
    /// needing a module of the same layout, so that names can be changed before loading.</summary>
    public static Dictionary<string, Tensor> ReadTorchSharp(Stream stream)
    {
        using var reader = new BinaryReader(stream, System.Text.Encoding.UTF8, leaveOpen: true);
        long count = reader.Read7BitEncodedInt64();          // TorchSharp writes counts as LEB128, which this reads
        var weights = new Dictionary<string, Tensor>();
        for (long i = 0; i < count; i++)
        {
            var key = reader.ReadString();
            weights[key] = TensorExtensionMethods.Load(reader);
        }
        return weights;
    }

    /// <summary>Copies <paramref name="weights"/> into <paramref name="module"/> after checking that keys and shapes
    /// match exactly; every problem is named in one line, and nothing is copied when there is one.</summary>
    /// <param name="what">What the file should have been, for the message ("an EfficientNet-B4 state dict").</param>
    /// <param name="optional">Keys of the module a file may lack.</param>
    /// <param name="keyPrefix">How the file spells the keys before the module's own names, for the message.</param>
    /// <exception cref="InvalidFileException">Keys missing or left over, or shapes that differ.</exception>
    public static void LoadStrict(nn.Module module, IReadOnlyDictionary<string, Tensor> weights, string source, string what,
        Func<string, bool>? optional = null, string keyPrefix = "")
    {
        var own = module.state_dict();
        var missing = own.Keys.Where(k => !weights.ContainsKey(k) && optional?.Invoke(k) != true).ToList();
        var unexpected = weights.Keys.Where(k => !own.ContainsKey(k)).Order(StringComparer.Ordinal).ToList();
        var mismatched = own.Keys
            .Where(k => weights.TryGetValue(k, out var w) && !w.shape.SequenceEqual(own[k].shape))
            .Select(k => $"{keyPrefix}{k} is [{string.Join(", ", weights[k].shape)}] in the file, [{string.Join(", ", own[k].shape)}] in the model")
            .ToList();
        var problems = new List<string>();
        string Keys(IEnumerable<string> keys) => string.Join(", ", keys.Select(k => keyPrefix + k));
        if (missing.Count > 0) problems.Add($"missing keys ({missing.Count}): {Keys(missing)}");
        if (unexpected.Count > 0) problems.Add($"unexpected keys ({unexpected.Count}): {Keys(unexpected)}");
        if (mismatched.Count > 0) problems.Add($"shape mismatches ({mismatched.Count}): {string.Join(", ", mismatched)}");
        if (problems.Count > 0) throw new InvalidFileException($"{source} is not {what}: {string.Join("; ", problems)}");
        using var _ = no_grad();
        foreach (var (key, target) in own)
            if (weights.TryGetValue(key, out var value)) target.copy_(value);
    }

    public static void DisposeAll(IEnumerable<Tensor> tensors)
    {
        foreach (var t in tensors) t.Dispose();
    }
}
