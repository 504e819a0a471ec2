using BitMiracle.LibTiff.Classic;
using SkiaSharp;
using UniAD.Core.Data;

namespace UniAD.Core.Tests.Data;

/// <summary>PNG, JPEG, BMP and TIFF, in colour and in grayscale, decode to the same pixels.</summary>
public class ImageDecoderTests
{
    private const int Width = 24, Height = 16;
    private readonly string _folder = TinyDataset.TempDirectory();

    /// <summary>A gradient with a distinct value in each channel, so a swapped channel or flipped row shows.</summary>
    private static byte Pixel(int x, int y, int channel, bool gray) => (byte)(gray ? x * 10 + y : channel * 60 + x * 3 + y * 2);

    public static TheoryData<string, bool> Formats => new()
    {
        { ".png", false }, { ".png", true }, { ".bmp", false }, { ".tif", false }, { ".tif", true }, { ".tiff", false }, { ".jpg", false },
    };

    [Theory]
    [MemberData(nameof(Formats))]
    public void DecodesToTheWrittenPixels(string extension, bool gray)
    {
        var path = Path.Combine(_folder, "image" + extension);
        Write(path, gray);

        var image = ImageDecoder.Decode(path);

        Assert.Equal((Width, Height), (image.Width, image.Height));
        int tolerance = extension == ".jpg" ? 24 : 0;               // lossy (chroma subsampling), but close
        for (int y = 0; y < Height; y++)
        for (int x = 0; x < Width; x++)
        for (int c = 0; c < 3; c++)
        {
            int expected = Pixel(x, y, gray ? 0 : c, gray), actual = image.Rgba[(y * Width + x) * 4 + c];
            Assert.True(Math.Abs(expected - actual) <= tolerance, $"{extension} ({x},{y}) channel {c}: {actual}, expected {expected}");
        }
    }

    [Theory]
    [InlineData(".png")]
    [InlineData(".tif")]
    public void ATruncatedFileIsNamedAsTruncated(string extension)
    {
        var path = Path.Combine(_folder, "cut" + extension);
        Write(path, gray: false);
        File.WriteAllBytes(path, File.ReadAllBytes(path)[..(int)(new FileInfo(path).Length * 2 / 3)]);

        var error = Assert.Throws<DatasetException>(() => ImageDecoder.Decode(path));
        Assert.True(error.Message.StartsWith("truncated image"), error.Message);
        Assert.Contains(path, error.Message);
    }

    private static void Write(string path, bool gray)
    {
        switch (Path.GetExtension(path))
        {
            case ".tif" or ".tiff": WriteTiff(path, gray); break;
            case ".bmp": WriteBmp(path); break;
            default:
                using (var bitmap = new SKBitmap(Width, Height, gray ? SKColorType.Gray8 : SKColorType.Rgba8888, SKAlphaType.Opaque))
                {
                    for (int y = 0; y < Height; y++)
                    for (int x = 0; x < Width; x++)
                        bitmap.SetPixel(x, y, new SKColor(Pixel(x, y, 0, gray), Pixel(x, y, gray ? 0 : 1, gray), Pixel(x, y, gray ? 0 : 2, gray)));
                    using var data = bitmap.Encode(path.EndsWith(".jpg") ? SKEncodedImageFormat.Jpeg : SKEncodedImageFormat.Png, 100);
                    File.WriteAllBytes(path, data.ToArray());
                }
                break;
        }
    }

    /// <summary>Uncompressed 24-bit BMP (SkiaSharp does not encode BMP): bottom-up BGR rows padded to 4 bytes.</summary>
    private static void WriteBmp(string path)
    {
        int row = (Width * 3 + 3) / 4 * 4, size = 54 + row * Height;
        using var w = new BinaryWriter(File.Create(path));
        w.Write("BM"u8); w.Write(size); w.Write(0); w.Write(54);
        w.Write(40); w.Write(Width); w.Write(Height); w.Write((short)1); w.Write((short)24); w.Write(0); w.Write(row * Height);
        w.Write(2835); w.Write(2835); w.Write(0); w.Write(0);
        for (int y = Height - 1; y >= 0; y--)
        {
            for (int x = 0; x < Width; x++) { w.Write(Pixel(x, y, 2, false)); w.Write(Pixel(x, y, 1, false)); w.Write(Pixel(x, y, 0, false)); }
            w.Write(new byte[row - Width * 3]);
        }
    }

    /// <summary>LZW-compressed TIFF, one row per strip, RGB or 8-bit grayscale.</summary>
    private static void WriteTiff(string path, bool gray)
    {
        int channels = gray ? 1 : 3;
        using var tiff = Tiff.Open(path, "w");
        tiff.SetField(TiffTag.IMAGEWIDTH, Width);
        tiff.SetField(TiffTag.IMAGELENGTH, Height);
        tiff.SetField(TiffTag.SAMPLESPERPIXEL, channels);
        tiff.SetField(TiffTag.BITSPERSAMPLE, 8);
        tiff.SetField(TiffTag.PHOTOMETRIC, gray ? Photometric.MINISBLACK : Photometric.RGB);
        tiff.SetField(TiffTag.PLANARCONFIG, PlanarConfig.CONTIG);
        tiff.SetField(TiffTag.ROWSPERSTRIP, 1);
        tiff.SetField(TiffTag.COMPRESSION, Compression.LZW);
        var line = new byte[Width * channels];
        for (int y = 0; y < Height; y++)
        {
            for (int x = 0; x < Width; x++)
            for (int c = 0; c < channels; c++) line[x * channels + c] = Pixel(x, y, c, gray);
            tiff.WriteScanline(line, y);
        }
    }
}
