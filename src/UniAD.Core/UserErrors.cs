using UniAD.Core.Data;

namespace UniAD.Core;

/// <summary>The exceptions that mean the user's input was wrong (a file, a dataset, a config, a request that does not fit
/// the state), whose message is written for the user. Every front end answers these with the message alone (the CLI
/// with one line, the API with a 400, the pages with an alert) and treats anything else as a fault of the lab.</summary>
public static class UserErrors
{
    public static bool Are(Exception e) => e is DatasetException or IOException or UnauthorizedAccessException
        or InvalidDataException or InvalidOperationException or ArgumentException;

    /// <summary>The failure in one line for a user: the message's first line, said plainly when the disk is full.</summary>
    public static string OneLine(Exception e)
    {
        var line = e.Message.Split('\n')[0].Trim();
        return IsDiskFull(e) ? $"the disk is full: {line}" : line;
    }

    /// <summary>ENOSPC on Linux and macOS, ERROR_DISK_FULL and ERROR_HANDLE_DISK_FULL on Windows, anywhere in the chain.</summary>
    public static bool IsDiskFull(Exception? e) =>
        e is not null && (e is IOException { HResult: 28 or unchecked((int)0x80070070) or unchecked((int)0x80070027) } || IsDiskFull(e.InnerException));
}
