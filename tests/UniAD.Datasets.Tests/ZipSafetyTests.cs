using System.IO.Compression;

namespace UniAD.Datasets.Tests;

/// <summary>Hostile archives are refused before they can write outside the store or fill the disk, and leave nothing.</summary>
public class ZipSafetyTests
{
    private static readonly byte[] Png = File.ReadAllBytes(Directory.EnumerateFiles(Files.DemoMvtec(), "*.png", SearchOption.AllDirectories).First());
    private readonly DatasetStore _store = new(Files.TempDirectory());

    private string Refusal(string zip, ZipLimits? limits = null)
    {
        var error = Assert.Throws<UniAD.Core.Data.DatasetException>(() => _store.Stage(new ImportRequest(zip, "hostile", ZipLimits: limits)));
        Assert.Empty(Files.Leftovers(_store));
        return error.Message;
    }

    [Theory]
    [InlineData("../escaped.png", "zip slip")]
    [InlineData("demo/train/../../../escaped.png", "zip slip")]
    [InlineData("/tmp/escaped.png", "absolute path")]
    [InlineData("C:/escaped.png", "absolute path")]
    public void PathsOutsideTheDestinationAreRefused(string name, string reason)
    {
        var zip = Files.ZipOf(("fabric/train/good/000.png", Png, 0), (name, Png, 0));
        Assert.Contains(reason, Refusal(zip));
        Assert.False(File.Exists(Path.Combine(Path.GetDirectoryName(_store.Root)!, "escaped.png")));
    }

    [Theory]
    [InlineData(0xA1FF, "symbolic link")]
    [InlineData(0x21B6, "device")]
    [InlineData(0x61B6, "device")]
    [InlineData(0x11B6, "pipe")]
    public void LinksAndDevicesAreRefused(int unixMode, string reason)
    {
        var zip = Files.ZipOf(("fabric/train/good/000.png", Png, 0), ("fabric/train/good/001.png", "/etc/passwd"u8.ToArray(), unixMode));
        Assert.Contains(reason, Refusal(zip));
    }

    [Fact]
    public void AZipBombIsRefusedFromItsHeaderWithoutInflating()
    {
        var zip = Path.Combine(Files.TempDirectory(), "bomb.zip");
        using (var archive = ZipFile.Open(zip, ZipArchiveMode.Create))
        using (var entry = archive.CreateEntry("fabric/train/good/000.bmp", CompressionLevel.SmallestSize).Open())
        {
            var zeros = new byte[1 << 20];
            for (int i = 0; i < 4096; i++) entry.Write(zeros);          // 4 GiB of zeros
        }
        Assert.True(new FileInfo(zip).Length < 8 << 20, $"the bomb is {new FileInfo(zip).Length} bytes");

        Assert.Contains("zip bomb", Refusal(zip));
        // Refused by the header check, before a byte was inflated: no file was created for the entry. (How long the
        // refusal takes is a measurement for BENCHMARKS.md, not an assertion a busy machine could break.)
        var destination = Files.TempDirectory();
        var error = Assert.Throws<UniAD.Core.Data.DatasetException>(() => SafeZip.Extract(zip, destination, new ZipLimits()));
        Assert.Matches(@"inflates \d+× \(limit 200×\)", error.Message);                 // the ratio of the claimed sizes
        Assert.Empty(Directory.EnumerateFileSystemEntries(destination, "*", SearchOption.AllDirectories));
    }

    [Fact]
    public void CapsOnEntriesAndTotalSizeAreEnforced()
    {
        var zip = Files.Zip(Files.DemoMvtec());
        Assert.Contains("entries", Refusal(zip, new ZipLimits { MaxEntries = 5 }));
        Assert.Contains("unpacks to more than", Refusal(zip, new ZipLimits { MaxTotalBytes = 20_000 }));
    }

    [Fact]
    public void DuplicateEntriesAndNonArchivesAreRefused()
    {
        Assert.Contains("appears twice", Refusal(Files.ZipOf(("a/x.png", Png, 0), ("a/x.png", Png, 0))));
        var notZip = Path.Combine(Files.TempDirectory(), "photos.zip");
        File.WriteAllText(notZip, "this is not an archive");
        Assert.Contains("the archive is not a readable zip file", Refusal(notZip));
    }

    [Fact]
    public void ArchiverJunkIsSkipped()
    {
        var source = Files.DemoMvtec();
        File.WriteAllText(Path.Combine(source, ".DS_Store"), "finder");
        Directory.CreateDirectory(Path.Combine(source, "__MACOSX"));
        File.WriteAllText(Path.Combine(source, "__MACOSX", "._000.png"), "resource fork");

        var (version, report) = _store.Import(new ImportRequest(Files.Zip(source), "demo"));
        Assert.Empty(report.Problems);
        Assert.DoesNotContain(version!.Checksums, d => d.Path.Contains("DS_Store") || d.Path.Contains("MACOSX"));
    }
}
