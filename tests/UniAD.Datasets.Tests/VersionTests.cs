using System.Diagnostics;
using UniAD.Core.Data;

namespace UniAD.Datasets.Tests;

/// <summary>Versions are content hashes, stored immutably; imports are atomic.</summary>
public class VersionTests
{
    private readonly DatasetStore _store = new(Files.TempDirectory());

    [Fact]
    public void SameFilesGiveTheSameVersionAndOnePixelANewOne()
    {
        var first = _store.Import(new ImportRequest(Files.DemoMvtec(seed: 5), "demo")).Version!;
        var again = _store.Import(new ImportRequest(Files.DemoMvtec(seed: 5), "demo")).Version!;
        Assert.Equal(first.Manifest.Version, again.Manifest.Version);
        Assert.Single(_store.List());

        var edited = Files.DemoMvtec(seed: 5);
        Files.ChangeOnePixel(Path.Combine(edited, "nut/test/crack/000.png"));
        var changed = _store.Import(new ImportRequest(edited, "demo")).Version!;
        Assert.NotEqual(first.Manifest.Version, changed.Manifest.Version);
        Assert.Equal(2, _store.List().Count);
    }

    [Fact]
    public void TheVersionIsWhatCoreutilsComputes()
    {
        var version = _store.Import(new ImportRequest(Files.DemoMvtec(), "demo")).Version!;
        var shell = Process.Start(new ProcessStartInfo("bash", ["-c",
            "find . -type f -printf '%P\\n' | LC_ALL=C sort | xargs -d '\\n' sha256sum | sha256sum"])
        { WorkingDirectory = version.FilesRoot, RedirectStandardOutput = true })!;
        string output = shell.StandardOutput.ReadToEnd();
        shell.WaitForExit();
        Assert.Equal(version.Manifest.Version, output.Split(' ')[0]);
    }

    [Fact]
    public void ACancelledImportLeavesNothing()
    {
        using var cancel = new CancellationTokenSource();
        var progress = new Core.Training.SynchronousProgress<ImportProgress>(p => { if (p.Stage == "hashing") cancel.Cancel(); });
        Assert.ThrowsAny<OperationCanceledException>(() => _store.Import(new ImportRequest(Files.DemoMvtec(), "demo"), progress, cancel.Token));
        Assert.Empty(Files.Leftovers(_store));
        Assert.Empty(_store.List());
    }

    [Fact]
    public void AStoredVersionThatChangesOnDiskIsRefused()
    {
        var version = _store.Import(new ImportRequest(Files.DemoMvtec(), "demo")).Version!;
        var file = Path.Combine(version.FilesRoot, "fabric/train/good/000.png");
        Assert.True(new FileInfo(file).IsReadOnly);

        File.SetAttributes(file, FileAttributes.Normal);
        var bytes = File.ReadAllBytes(file);
        bytes[^20] ^= 0xFF;                                       // same size, other content
        File.WriteAllBytes(file, bytes);
        version.VerifyQuick();
        Assert.Contains("fabric/train/good/000.png", Assert.Throws<DatasetException>(() => version.VerifyFull()).Message);

        File.AppendAllText(file, "more");
        Assert.Contains("changed on disk", Assert.Throws<DatasetException>(() => version.Load()).Message);
    }

    [Fact]
    public void AbandonedStagingIsRemovedAndBadNamesAreRefused()
    {
        var abandoned = Path.Combine(_store.Root, DatasetStore.StagingFolder, "crashed", "files");
        Directory.CreateDirectory(abandoned);
        _store.RemoveAbandonedStaging();
        Assert.False(Directory.Exists(abandoned));

        Assert.Contains("invalid dataset name", Assert.Throws<DatasetException>(() => _store.Stage(new ImportRequest(Files.DemoMvtec(), "../up"))).Message);
        Assert.Contains("no layout", Assert.Throws<DatasetException>(() => _store.Stage(new ImportRequest(Files.TempDirectory(), "empty"))).Message);
        Assert.Empty(Files.Leftovers(_store));
    }
}
