using System.Security.Cryptography;

namespace UniAD.Cli.Tests;

public class DemoDataDeterminismTests
{
    /// <summary>Each run of the CLI is a new process with new hash seeds; the same seed must still give the same bytes.</summary>
    [Fact]
    public void TheSameSeedWritesTheSameFilesInEveryProcess()
    {
        List<string> Generate()
        {
            var root = TestScratch.NewFolder("uniad-demo");
            Uniad.Succeeds("demo-data", "--out", root, "--image-size", "32", "--train", "1", "--test-good", "0",
                "--test-defect", "1", "--categories", "nut");
            var hashes = Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal)
                .Select(f => Path.GetRelativePath(root, f) + " " + Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(f)))).ToList();
            Directory.Delete(root, recursive: true);
            return hashes;
        }
        var first = Generate();
        Assert.Equal(1 + 3 + 3, first.Count);                            // train image, 3 defect images, 3 masks
        Assert.Equal(first, Generate());
    }
}
