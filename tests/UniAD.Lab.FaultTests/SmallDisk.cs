using System.Diagnostics;

namespace UniAD.Lab.FaultTests;

/// <summary>A real, small file system: a size-limited tmpfs mounted on a folder (the fault suite runs as root, as CI
/// does), which a test can fill to the last byte and empty again.</summary>
public sealed class SmallDisk : IDisposable
{
    public string Folder { get; }
    private string Filler => Path.Combine(Folder, "filler.bin");

    public SmallDisk(string folder, int megabytes)
    {
        Folder = folder;
        Directory.CreateDirectory(folder);
        Mount("mount", "-t", "tmpfs", "-o", $"size={megabytes}m", "tmpfs", folder);
    }

    /// <summary>Writes a file until the disk refuses more, leaving <paramref name="leaveBytes"/> (roughly) free.</summary>
    public void Fill(long leaveBytes = 0)
    {
        using var file = new FileStream(Filler, FileMode.Create, FileAccess.Write, FileShare.None, 1, FileOptions.WriteThrough);
        long free = new DriveInfo(Folder).AvailableFreeSpace - leaveBytes;
        var block = new byte[64 << 10];
        try
        {
            for (long written = 0; written < free; written += block.Length) file.Write(block, 0, (int)Math.Min(block.Length, free - written));
            if (leaveBytes == 0)
                for (var one = new byte[1]; ; ) file.Write(one);             // the last bytes too
        }
        // Full, whether by this file alone or with what a training wrote meanwhile (which may free some of it again at
        // once, deleting its half-written file: the free space read now would not say so).
        catch (IOException e) when (UniAD.Core.UserErrors.IsDiskFull(e) || new DriveInfo(Folder).AvailableFreeSpace <= leaveBytes + block.Length) { }
    }

    public void Empty() => File.Delete(Filler);

    public void Dispose() => Mount("umount", "--lazy", Folder);

    private static void Mount(string program, params string[] args)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardError = true };
        foreach (var arg in args) start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        string error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{program} {string.Join(' ', args)} failed ({error.Trim()}): the disk-full faults need root, as CI runs them");
    }
}
