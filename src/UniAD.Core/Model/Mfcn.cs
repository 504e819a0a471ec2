using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn.functional;

namespace UniAD.Core.Model;

/// <summary>MFCN neck ("multi-scale feature concat network"): resizes every backbone tap to the common
/// token grid with bilinear interpolation (align_corners=true, as nn.UpsamplingBilinear2d in the official
/// code; no antialiasing even when it downsamples) and concatenates them along channels. No parameters.</summary>
public sealed class Mfcn : nn.Module<Tensor[], Tensor>
{
    private readonly long[] _grid;

    public Mfcn(int gridHeight, int gridWidth) : base(nameof(Mfcn)) => _grid = [gridHeight, gridWidth];

    /// <param name="taps">B×C_i×H_i×W_i per tap.</param>
    /// <returns>B×ΣC_i×gridHeight×gridWidth ("feature_align").</returns>
    public override Tensor forward(Tensor[] taps)
    {
        using var scope = NewDisposeScope();
        var resized = taps.Select(t => t.shape[2] == _grid[0] && t.shape[3] == _grid[1]
            ? t
            : interpolate(t, size: _grid, mode: InterpolationMode.Bilinear, align_corners: true)).ToArray();
        return cat(resized, dim: 1).MoveToOuterDisposeScope();
    }
}
