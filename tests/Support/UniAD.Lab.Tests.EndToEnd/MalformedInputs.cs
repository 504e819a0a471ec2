using System.IO.Compression;
using System.Text;
using SkiaSharp;
using UniAD.Core.Data.Demo;

namespace UniAD.Lab.Tests.EndToEnd;

/// <summary>One malformed dataset: how to make it (a zip, as a user uploads it), and the one line every front end answers it
/// with. The line names the file at fault, relative to the dataset, as the validation report does.</summary>
public sealed record MalformedDataset(string Name, Func<string> MakeZip, string Error)
{
    public override string ToString() => Name;
}

/// <summary>One malformed config, given as overrides on the <c>quick</c> preset (or as the preset or ablation itself).</summary>
public sealed record MalformedConfig(string Name, string[] Overrides, string Error, string Preset = "quick", string Ablation = "full")
{
    public override string ToString() => Name;
}

/// <summary>The corpus of malformed inputs the fault suite feeds the CLI, the HTTP API and (a sample) the browser. Each is
/// built here from a small valid dataset with one thing broken, so what is wrong with it is read in the code.</summary>
public static class MalformedInputs
{
    public static readonly IReadOnlyList<MalformedDataset> Datasets =
    [
        // Archives
        new("truncated zip", () => Cut(ValidZip(), 0.5), "the archive is not a readable zip file"),
        new("0-byte zip", () => Write("dataset.zip", []), "the archive is not a readable zip file"),
        new("text file named .zip", () => Write("dataset.zip", "not an archive"u8.ToArray()), "the archive is not a readable zip file"),
        new("encrypted zip", () => Encrypted(ZipOf(("fabric/train/good/000.png", Png(64, 64)))), "zip entry 'fabric/train/good/000.png' is encrypted; the lab reads unencrypted archives only; the archive is refused"),
        new("nested zip", () => ZipOf(("dataset.zip", File.ReadAllBytes(ValidZip()))), "the archive holds another archive (dataset.zip) and no dataset; unpack it and upload the dataset itself"),
        new("zip slip", () => WithEntry(ValidZip(), "../escaped.png", Png(64, 64)), "zip entry '../escaped.png' has a '..' path segment (zip slip); the archive is refused"),
        new("absolute path in zip", () => WithEntry(ValidZip(), "/tmp/escaped.png", Png(64, 64)), "zip entry '/tmp/escaped.png' has an absolute path; the archive is refused"),
        new("name not in UTF-8", () => WithLatin1Name(ValidZip()), "zip entry 'fabric/train/good/caf\uFFFD.png' has a name that is not UTF-8 (an archiver's local code page?); rename it; the archive is refused"),
        new("name with a control character", () => WithEntry(ValidZip(), "fabric/train/good/a\u0001b.png", Png(64, 64)), "zip entry 'fabric/train/good/a\u0001b.png' has an empty or invalid name; the archive is refused"),
        new("symbolic link in zip", () => WithEntry(ValidZip(), "fabric/train/good/link.png", "/etc/passwd"u8.ToArray(), unixMode: 0xA1FF), "zip entry 'fabric/train/good/link.png' is a symbolic link; the archive is refused"),
        // Images
        new("truncated PNG", () => Damaged("fabric/train/good/000.png", png => png[..(png.Length / 2)]), "fabric/train/good/000.png: truncated image"),
        new("0-byte PNG", () => Damaged("fabric/train/good/000.png", _ => []), "fabric/train/good/000.png: cannot decode image (unreadable or unsupported format)"),
        new("text file named .png", () => Damaged("fabric/train/good/000.png", _ => "hello"u8.ToArray()), "fabric/train/good/000.png: cannot decode image (unreadable or unsupported format)"),
        new("100000x100000 PNG header", () => Damaged("fabric/train/good/000.png", _ => HugePngHeader()), "fabric/train/good/000.png: 100000×100000 pixels is more than the lab decodes (at most 16384 a side)"),
        new("CMYK JPEG", () => Damaged("fabric/train/good/000.png", _ => CmykJpeg(), "fabric/train/good/000.jpg"), "fabric/train/good/000.jpg: CMYK JPEG: the lab reads RGB and grayscale images; convert it to RGB"),
        new("16-bit PNG", () => Damaged("fabric/train/good/000.png", _ => SixteenBitPng()), "fabric/train/good/000.png: 16-bit image: the lab reads 8-bit images; convert it to 8 bits per channel"),
        new("animated GIF as .png", () => Damaged("fabric/train/good/000.png", _ => AnimatedGif()), "fabric/train/good/000.png: an animated GIF image; the lab reads PNG, JPEG, BMP and TIFF images"),
        // Masks
        new("mask of the wrong size", () => Damaged(FirstMask, _ => Png(32, 32, SKColors.White)), $"{FirstMask}: mask is 32×32 but its image is 64×64"),
        new("mask not binary", () => Damaged(FirstMask, _ => Png(64, 64, new SKColor(128, 128, 128))), $"{FirstMask}: mask is not binary: 4096 pixel(s) are neither 0 nor 255; binarize it"),
        new("RGB mask", () => Damaged(FirstMask, _ => Png(64, 64, new SKColor(255, 0, 0))), $"{FirstMask}: mask is in colour; masks are grayscale, 0 (normal) or 255 (defect)"),
        // JSON-lines metadata
        new("metadata not JSON", () => Jsonl(train => train.Insert(0, "{\"filename\": ")), "train.jsonl: line 1: not a JSON object"),
        new("metadata naming a missing image", () => Jsonl(train => train.Add("{\"filename\": \"fabric/train/good/missing.png\", \"label\": 0, \"clsname\": \"fabric\"}")), "train.jsonl: line 13: image not found: fabric/train/good/missing.png"),
        new("metadata path escaping the root", () => Jsonl(train => train.Add("{\"filename\": \"../../etc/passwd\", \"label\": 0, \"clsname\": \"fabric\"}")), "train.jsonl: line 13: ../../etc/passwd is outside the dataset"),
        new("metadata absolute path", () => Jsonl(train => train.Add("{\"filename\": \"/etc/passwd\", \"label\": 0, \"clsname\": \"fabric\"}")), "train.jsonl: line 13: /etc/passwd is outside the dataset"),
        new("metadata without filename", () => Jsonl(train => train.Add("{\"label\": 0, \"clsname\": \"fabric\"}")), "train.jsonl: line 13: missing \"filename\""),
        new("metadata label of the wrong type", () => Jsonl(train => train[0] = train[0].Replace("\"label\": 0", "\"label\": \"normal\"")), "train.jsonl: line 1: \"label\" must be 0 (normal) or 1 (anomalous)"),
    ];

    public static readonly IReadOnlyList<MalformedConfig> Configs =
    [
        new("negative epochs", ["training.epochs=-1"], "training.epochs -1 must be at least 1"),
        new("input size the backbone cannot take", ["backbone.input_size=[7,7]"], "backbone.input_size [7, 7] is not a multiple of backbone.out_stride 16"),
        new("neighbor mask larger than the token grid", ["model.neighbor_mask.size=[99,99]"], "model.neighbor_mask.size [99, 99] covers the whole 8x8 token grid: some tokens would have no key left to attend to"),
        new("unknown key", ["model.no_such_key=1"], "override 'model.no_such_key=1': unknown key 'no_such_key'"),
        new("unknown section", ["solver.lr=1"], "override 'solver.lr=1': no config section 'solver'"),
        new("wrong type", ["model.heads=\"four\""], "invalid override value"),
        new("NaN learning rate", ["training.learning_rate=NaN"], "invalid override value"),
        new("negative learning rate", ["training.learning_rate=-1"], "training.learning_rate -1 must be a positive number"),
        new("dropout above 1", ["model.dropout=2"], "model.dropout 2 must be in [0, 1)"),
        new("heads that do not divide the width", ["model.heads=3"], "model.heads 3 must divide model.hidden_dim 256"),
        new("a backbone layer that does not exist", ["backbone.out_layers=[9]"], "backbone.out_layers [9]: Resnet18 has layers 1 to 4; give distinct ones"),
        new("zero hidden size", ["model.hidden_dim=0"], "model.hidden_dim 0 must be at least 1"),
        new("override without a value", ["training.epochs"], "override 'training.epochs' is not of the form key=value"),
        new("unknown preset", [], "unknown preset 'huge'; known: paper-mvtec, paper-cifar, resnet18, cifar-resnet18, quick", Preset: "huge"),
        new("unknown ablation", [], "unknown ablation 'no-everything'; known: full, vanilla, no-neighbor-mask, neighbor-mask-encoder-only, neighbor-mask-decoder-only, no-jitter, shared-query, no-query", Ablation: "no-everything"),
    ];

    private const string FirstMask = "fabric/ground_truth/hole/000_mask.png";

    /// <summary>The tiny MVTec-layout dataset every case breaks one thing of (a fresh copy each time).</summary>
    public static string ValidFolder()
    {
        var folder = TestScratch.NewFolder("malformed");
        DemoDataset.Generate(folder, new DemoDatasetOptions
        {
            ImageSize = 64, TrainPerCategory = 6, TestGoodPerCategory = 2, TestPerDefect = 1, Seed = 3, Categories = ["fabric", "nut"],
        });
        return folder;
    }

    private static string ValidZip() => ZipFolder(ValidFolder());

    private static string ZipFolder(string folder)
    {
        var zip = Path.Combine(TestScratch.NewFolder("malformed-zip"), "dataset.zip");
        ZipFile.CreateFromDirectory(folder, zip, CompressionLevel.Fastest, includeBaseDirectory: false);
        return zip;
    }

    private static string Write(string name, byte[] bytes)
    {
        var path = Path.Combine(TestScratch.NewFolder("malformed-zip"), name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    private static string Cut(string zip, double keep) => Write("dataset.zip", File.ReadAllBytes(zip)[..(int)(new FileInfo(zip).Length * keep)]);

    private static string ZipOf(params (string Name, byte[] Bytes)[] entries)
    {
        var path = Path.Combine(TestScratch.NewFolder("malformed-zip"), "dataset.zip");
        using var archive = ZipFile.Open(path, ZipArchiveMode.Create);
        foreach (var (name, bytes) in entries)
        {
            using var stream = archive.CreateEntry(name).Open();
            stream.Write(bytes);
        }
        return path;
    }

    private static string WithEntry(string zip, string name, byte[] bytes, int unixMode = 0)
    {
        using (var archive = ZipFile.Open(zip, ZipArchiveMode.Update))
        {
            var entry = archive.CreateEntry(name);
            if (unixMode != 0) entry.ExternalAttributes = unixMode << 16;
            using var stream = entry.Open();
            stream.Write(bytes);
        }
        return zip;
    }

    /// <summary>An entry whose name is stored as bytes that are not UTF-8 (an old archiver's Latin-1 "café"): written with
    /// an ASCII stand-in of the same length, whose bytes are then replaced.</summary>
    private static string WithLatin1Name(string zip)
    {
        WithEntry(zip, "fabric/train/good/cafx.png", Png(64, 64));
        var bytes = File.ReadAllBytes(zip);
        var standIn = "good/cafx.png"u8.ToArray();
        for (int at; (at = bytes.AsSpan().IndexOf(standIn)) >= 0;) bytes[at + 8] = 0xE9;     // 'x' becomes Latin-1 'é'
        File.WriteAllBytes(zip, bytes);
        return zip;
    }

    /// <summary>The archive with the "encrypted" flag set on every entry, as a password-protected zip has.</summary>
    private static string Encrypted(string zip)
    {
        var bytes = File.ReadAllBytes(zip);
        for (int at = 0; at + 8 < bytes.Length; at++)
        {
            uint signature = BitConverter.ToUInt32(bytes, at);
            if (signature == 0x04034b50) bytes[at + 6] |= 0x01;            // local header: flags at +6
            else if (signature == 0x02014b50) bytes[at + 8] |= 0x01;       // central header: flags at +8
        }
        return Write("dataset.zip", bytes);
    }

    /// <summary>The valid dataset with one file replaced (and, when <paramref name="renameTo"/> is given, renamed).</summary>
    private static string Damaged(string relative, Func<byte[], byte[]> damage, string? renameTo = null)
    {
        var folder = ValidFolder();
        var path = Path.Combine(folder, relative);
        var bytes = damage(File.ReadAllBytes(path));
        File.Delete(path);
        File.WriteAllBytes(Path.Combine(folder, renameTo ?? relative), bytes);
        return ZipFolder(folder);
    }

    /// <summary>The valid dataset in UniAD's JSON-lines layout (train.jsonl, test.jsonl beside the images), its training
    /// metadata changed by <paramref name="edit"/>.</summary>
    private static string Jsonl(Action<List<string>> edit)
    {
        var folder = ValidFolder();
        List<string> Lines(string split) => [.. Directory.EnumerateFiles(folder, "*.png", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(folder, f).Replace('\\', '/'))
            .Where(f => f.Split('/')[1] == split).Order(StringComparer.Ordinal)
            .Select(f => f.Split('/') is var p && p[2] == "good"
                ? $"{{\"filename\": \"{f}\", \"label\": 0, \"clsname\": \"{p[0]}\"}}"
                : $"{{\"filename\": \"{f}\", \"label\": 1, \"label_name\": \"{p[2]}\", \"maskname\": \"{p[0]}/ground_truth/{p[2]}/{Path.GetFileNameWithoutExtension(f)}_mask.png\", \"clsname\": \"{p[0]}\"}}")];
        var train = Lines("train");
        var test = Lines("test");
        edit(train);
        File.WriteAllLines(Path.Combine(folder, "train.jsonl"), train);
        File.WriteAllLines(Path.Combine(folder, "test.jsonl"), test);
        return ZipFolder(folder);
    }

    private static byte[] Png(int width, int height, SKColor? colour = null)
    {
        using var bitmap = new SKBitmap(width, height);
        bitmap.Erase(colour ?? SKColors.Gray);
        using var data = bitmap.Encode(SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }

    /// <summary>A PNG whose header claims 100000×100000 pixels, with a correct checksum, as a crafted file has.</summary>
    private static byte[] HugePngHeader() => PngFile(100_000, 100_000, bitDepth: 8, colourType: 0, rows: [new byte[2]]);

    /// <summary>A 64×64 16-bit grayscale PNG (SkiaSharp writes only 8 bits per channel).</summary>
    private static byte[] SixteenBitPng() => PngFile(64, 64, bitDepth: 16, colourType: 0, rows: [.. Enumerable.Repeat(new byte[1 + 64 * 2], 64)]);

    /// <summary>A PNG written chunk by chunk: signature, IHDR, one zlib IDAT of the (filter byte + pixels) rows, IEND.</summary>
    private static byte[] PngFile(int width, int height, byte bitDepth, byte colourType, IReadOnlyList<byte[]> rows)
    {
        using var png = new MemoryStream();
        png.Write([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]);
        void Chunk(string type, byte[] data)
        {
            var typed = Encoding.ASCII.GetBytes(type).Concat(data).ToArray();
            png.Write(BigEndian((uint)data.Length));
            png.Write(typed);
            png.Write(BigEndian(Crc32(typed)));
        }
        Chunk("IHDR", [.. BigEndian((uint)width), .. BigEndian((uint)height), bitDepth, colourType, 0, 0, 0]);
        using var pixels = new MemoryStream();
        using (var zlib = new ZLibStream(pixels, CompressionLevel.Optimal, leaveOpen: true))
            foreach (var row in rows) zlib.Write(row);
        Chunk("IDAT", pixels.ToArray());
        Chunk("IEND", []);
        return png.ToArray();
    }

    /// <summary>The PNG chunk checksum (CRC-32, polynomial 0xEDB88320).</summary>
    private static uint Crc32(byte[] bytes)
    {
        uint crc = 0xFFFFFFFF;
        foreach (byte b in bytes)
        {
            crc ^= b;
            for (int bit = 0; bit < 8; bit++) crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320 : crc >> 1;
        }
        return ~crc;
    }

    private static byte[] BigEndian(uint value) => [(byte)(value >> 24), (byte)(value >> 16), (byte)(value >> 8), (byte)value];

    /// <summary>Files no library here writes (Corpus/README.md says how they were made).</summary>
    private static byte[] CmykJpeg() => File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Corpus", "cmyk.jpg"));
    private static byte[] AnimatedGif() => File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Corpus", "animated.gif"));
}
