using TorchSharp.PyBridge;
using UniAD.Core.Backbones;

namespace UniAD.Tests;

/// <summary>Backbone weights files for tests: random weights stand in for ImageNet's where only the plumbing is tested.</summary>
public static class RandomBackbones
{
    /// <summary>Writes an EfficientNet-B4 state dict (the official key names) with random weights to <paramref name="path"/>.</summary>
    public static string EfficientNetB4(string path)
    {
        using var b4 = new EfficientNetB4([1, 2, 3, 4, 5]);
        b4.save_safetensors(path);
        return path;
    }
}
