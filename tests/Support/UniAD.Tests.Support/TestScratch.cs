using System.Diagnostics;

namespace UniAD.Tests;

/// <summary>Scratch folders for one test process, all under one root named after the process. The root is deleted
/// when the process exits, and roots left by processes that are gone (a test host killed before it finished
/// deleting) are deleted when the next test process starts, so test runs do not fill the temp folder.</summary>
public static class TestScratch
{
    private const string Prefix = "uniad-tests-";

    private static readonly Lazy<string> Root = new(() =>
    {
        foreach (var stale in LeftByEndedProcesses(Prefix)) TryDelete(stale);
        var root = Directory.CreateTempSubdirectory($"{Prefix}{Environment.ProcessId}-").FullName;
        AppDomain.CurrentDomain.ProcessExit += (_, _) => TryDelete(root);
        return root;
    });

    public static string NewFolder(string name) => Directory.CreateDirectory(Path.Combine(Root.Value, $"{name}-{Guid.NewGuid():N}")).FullName;

    /// <summary>Folders in the temp folder named <c>{prefix}{pid}-...</c> whose process is gone.</summary>
    public static IEnumerable<string> LeftByEndedProcesses(string prefix) =>
        Directory.EnumerateDirectories(Path.GetTempPath(), prefix + "*").Where(folder => LeftByAnEndedProcess(folder, prefix)).ToList();

    private static bool LeftByAnEndedProcess(string folder, string prefix)
    {
        var parts = Path.GetFileName(folder)[prefix.Length..].Split('-');
        if (!int.TryParse(parts[0], out int pid)) return false;
        try { using var process = Process.GetProcessById(pid); return false; }
        catch (ArgumentException) { return true; }                                       // no such process
    }

    public static void TryDelete(string folder)
    {
        try { Directory.Delete(folder, recursive: true); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }   // in use: a later run deletes it
    }
}
