using BitMiracle.LibTiff.Classic;
using SkiaSharp;

namespace UniAD.Core.Data;

/// <summary>An image as 8-bit RGBA rows, whatever its file held (gray, palette, RGB, alpha).</summary>
public sealed record DecodedImage(int Width, int Height, byte[] Rgba);

/// <summary>Decodes the image formats the lab reads: PNG, JPEG and BMP through SkiaSharp, TIFF through LibTiff.Net
/// (MVTec-style datasets from line-scan cameras often come as TIFF). Every failure is a <see cref="DatasetException"/>
/// naming the file.</summary>
public static class ImageDecoder
{
    public static readonly IReadOnlySet<string> Extensions = new HashSet<string> { ".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff" };

    public static bool HasImageExtension(string path) => Extensions.Contains(Path.GetExtension(path).ToLowerInvariant());

    /// <summary>The image files directly in <paramref name="folder"/> (none when it does not exist), in ordinal order.</summary>
    public static IEnumerable<string> ImagesIn(string folder) =>
        Directory.Exists(folder) ? Directory.EnumerateFiles(folder).Where(HasImageExtension).Order(StringComparer.Ordinal) : [];

    public static DecodedImage Decode(string path) => IsTiff(path) ? DecodeTiff(path) : DecodeWithSkia(path);

    /// <summary>Larger sides are refused before any pixel is allocated: a crafted header can claim 100000×100000.</summary>
    public const int MaxSide = 16384;

    private static DecodedImage DecodeWithSkia(string path)
    {
        using var codec = SKCodec.Create(path)
            ?? throw new DatasetException($"cannot decode image (unreadable or unsupported format): {path}");
        if (Refusal(path, codec) is { } refusal) throw new DatasetException($"{refusal}: {path}");
        var info = new SKImageInfo(codec.Info.Width, codec.Info.Height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        var result = codec.GetPixels(info, out byte[] pixels);
        if (result == SKCodecResult.IncompleteInput) throw new DatasetException($"truncated image: {path}");
        if (result != SKCodecResult.Success) throw new DatasetException($"cannot decode image ({result}): {path}");
        return new DecodedImage(info.Width, info.Height, pixels);
    }

    /// <summary>What the lab does not read although a decoder could: pixels it would have to convert in a way other tools
    /// do not share (16 bits, CMYK), formats it does not claim, and sizes no dataset has.</summary>
    private static string? Refusal(string path, SKCodec codec)
    {
        var (width, height) = (codec.Info.Width, codec.Info.Height);
        if (width > MaxSide || height > MaxSide) return $"{width}×{height} pixels is more than the lab decodes (at most {MaxSide} a side)";
        if (codec.EncodedFormat is not (SKEncodedImageFormat.Png or SKEncodedImageFormat.Jpeg or SKEncodedImageFormat.Bmp))
            return $"{(codec.FrameCount > 1 ? "an animated " : "a ")}{codec.EncodedFormat.ToString().ToUpperInvariant()} image; the lab reads PNG, JPEG, BMP and TIFF images";
        if (codec.EncodedFormat == SKEncodedImageFormat.Bmp) return null;
        // PNG: the bit depth is IHDR's ninth byte (file offset 24). JPEG: the frame header follows the metadata segments.
        var header = Header(path, codec.EncodedFormat == SKEncodedImageFormat.Png ? 25 : 64 << 10);
        if (codec.EncodedFormat == SKEncodedImageFormat.Png)
            return header.Length == 25 && header[24] > 8 ? $"{header[24]}-bit image: the lab reads 8-bit images; convert it to 8 bits per channel" : null;
        return JpegComponents(header) == 4 ? "CMYK JPEG: the lab reads RGB and grayscale images; convert it to RGB" : null;
    }

    private static byte[] Header(string path, int length)
    {
        var header = new byte[length];
        using var file = File.OpenRead(path);
        return header[..file.ReadAtLeast(header, length, throwOnEndOfStream: false)];
    }

    /// <summary>The component count of a JPEG's start-of-frame segment (3 for YCbCr, 1 for gray, 4 for CMYK/YCCK), or 0.</summary>
    private static int JpegComponents(ReadOnlySpan<byte> jpeg)
    {
        for (int at = 2; at + 9 < jpeg.Length && jpeg[at] == 0xFF;)
        {
            byte marker = jpeg[at + 1];
            if (marker is >= 0xC0 and <= 0xCF and not 0xC4 and not 0xC8 and not 0xCC) return jpeg[at + 9];
            at += 2 + (jpeg[at + 2] << 8 | jpeg[at + 3]);                  // the segment's length follows its marker
        }
        return 0;
    }

    private static bool IsTiff(string path)
    {
        Span<byte> magic = stackalloc byte[4];
        using var file = File.OpenRead(path);
        return file.Read(magic) == 4 && (magic.SequenceEqual("II*\0"u8) || magic.SequenceEqual("MM\0*"u8));
    }

    private static DecodedImage DecodeTiff(string path)
    {
        lock (TiffErrors.Gate)                                   // LibTiff's error handler is process-wide
        {
            TiffErrors.Messages.Clear();
            using var tiff = Tiff.Open(path, "r") ?? throw TiffErrors.For(path);
            int width = tiff.GetField(TiffTag.IMAGEWIDTH)[0].ToInt(), height = tiff.GetField(TiffTag.IMAGELENGTH)[0].ToInt();
            var raster = new int[width * height];                // packed ABGR, one int per pixel
            if (!tiff.ReadRGBAImageOriented(width, height, raster, Orientation.TOPLEFT) || TiffErrors.Messages.Count > 0)
                throw TiffErrors.For(path);
            var rgba = new byte[raster.Length * 4];
            Buffer.BlockCopy(raster, 0, rgba, 0, rgba.Length);   // little-endian ABGR ints are R,G,B,A bytes
            if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("TIFF decoding assumes a little-endian machine");
            return new DecodedImage(width, height, rgba);
        }
    }

    /// <summary>Collects LibTiff's messages instead of letting it print them to stderr.</summary>
    private sealed class TiffErrors : TiffErrorHandler
    {
        public static readonly object Gate = new();
        public static readonly List<string> Messages = [];

        static TiffErrors() => Tiff.SetErrorHandler(new TiffErrors());
        public override void ErrorHandler(Tiff tif, string method, string format, params object[] args) => Messages.Add(string.Format(format, args));
        public override void ErrorHandlerExt(Tiff tif, object clientData, string method, string format, params object[] args) { }
        public override void WarningHandler(Tiff tif, string method, string format, params object[] args) { }
        public override void WarningHandlerExt(Tiff tif, object clientData, string method, string format, params object[] args) { }

        public static DatasetException For(string path)
        {
            string detail = Messages.Count > 0 ? Messages[0] : "unreadable";
            // A cut file fails where LibTiff reads past its end: a strip ("Read error") or the trailing directory ("Can not read").
            return new DatasetException(detail.Contains("read", StringComparison.OrdinalIgnoreCase) || detail.Contains("end of file", StringComparison.OrdinalIgnoreCase)
                ? $"truncated image: {path} ({detail})" : $"cannot decode TIFF image ({detail}): {path}");
        }
    }
}
