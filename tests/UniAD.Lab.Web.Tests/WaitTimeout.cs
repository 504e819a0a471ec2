using System.Runtime.CompilerServices;

namespace UniAD.Lab.Web.Tests;

internal static class WaitTimeout
{
    /// <summary>bUnit's WaitFor* give up after one second by default; a busy CI machine (two cores, another process
    /// training) can take longer to run an async handler that reads the database. A wait ends as soon as its condition
    /// holds, so a long limit costs nothing when things are fast.</summary>
    [ModuleInitializer]
    internal static void Raise() => BunitContext.DefaultWaitTimeout = TimeSpan.FromSeconds(30);
}
