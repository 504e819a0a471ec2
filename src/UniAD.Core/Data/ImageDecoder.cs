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

    private static DecodedImage DecodeWithSkia(string path)
    {
        using var codec = SKCodec.Create(path)
            ?? throw new DatasetException($"cannot decode image (unreadable or unsupported format): {path}");
        var info = new SKImageInfo(codec.Info.Width, codec.Info.Height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        var result = codec.GetPixels(info, out byte[] pixels);
        if (result == SKCodecResult.IncompleteInput) throw new DatasetException($"truncated image: {path}");
        if (result != SKCodecResult.Success) throw new DatasetException($"cannot decode image ({result}): {path}");
        return new DecodedImage(info.Width, info.Height, pixels);
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
