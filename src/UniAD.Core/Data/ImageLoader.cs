using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn.functional;

namespace UniAD.Core.Data;

/// <summary>Decodes images and masks (<see cref="ImageDecoder"/>) into tensors at the model's input size.</summary>
public static class ImageLoader
{
    /// <summary>3×H×W RGB in [0, 1], resized with antialiased bilinear interpolation: the tensor
    /// equivalent of the official <c>transforms.Resize(PIL.BILINEAR)</c> (not bit-exact to Pillow). Grayscale
    /// images become three equal channels; alpha is dropped.</summary>
    public static Tensor LoadRgb(string path, int height, int width)
    {
        using var scope = NewDisposeScope();
        var rgba = DecodeRgba(path);                                        // H×W×4 uint8
        var rgb = rgba[.., .., TensorIndex.Slice(0, 3)].permute(2, 0, 1).to(float32).div_(255); // 3×H×W
        var resized = interpolate(rgb.unsqueeze(0), size: [height, width], mode: InterpolationMode.Bilinear,
            align_corners: false, antialias: true).squeeze(0).clamp_(0, 1);
        return resized.MoveToOuterDisposeScope();
    }

    /// <summary>1×H×W boolean ground truth (pixel &gt; 0), resized with nearest neighbour sampled at pixel
    /// centres, as PIL NEAREST: output pixel i takes source pixel ⌊(i + ½)·in/out⌋.</summary>
    public static Tensor LoadMask(string path, int height, int width)
    {
        using var scope = NewDisposeScope();
        // Whatever the file holds (gray, palette, RGB), a pixel is foreground if any colour channel is.
        var rgba = DecodeRgba(path);
        using var zero = 0.ToScalar();                                          // explicit: see FeatureJitter
        var foreground = rgba[.., .., TensorIndex.Slice(0, 3)].amax(2).gt(zero);    // H×W
        var resized = foreground.index_select(0, CentreSamples(foreground.shape[0], height))
                                .index_select(1, CentreSamples(foreground.shape[1], width));
        return resized.unsqueeze(0).MoveToOuterDisposeScope();
    }

    /// <summary>Nearest-neighbour source indices for resizing <paramref name="source"/> samples to <paramref name="target"/>.</summary>
    private static Tensor CentreSamples(long source, int target) =>
        tensor(Enumerable.Range(0, target).Select(i => Math.Min(source - 1, (long)Math.Floor((i + 0.5) * source / target))).ToArray());

    /// <summary>Any supported file as H×W×4 RGBA bytes.</summary>
    private static Tensor DecodeRgba(string path)
    {
        var image = ImageDecoder.Decode(path);
        return tensor(image.Rgba, [image.Height, image.Width, 4]);
    }
}
