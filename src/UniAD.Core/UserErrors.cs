namespace UniAD.Core;

/// <summary>A mistake in what a user gave (a config, a file, a request, a dataset), whose message is written for that
/// user. Every front end answers one of these with its message alone (the CLI with one line, the API with problem details,
/// the pages with an alert); any other exception is a fault of the lab, logged with its stack under an error id. So the
/// throw site decides, by the type it throws, which of the two a failure is.</summary>
public class UserException : Exception
{
    public UserException(string message, Exception? inner = null) : base(message, inner) => Problems = [message];

    /// <summary>Several problems at once, each its own line (a form or a request body with more than one mistake).</summary>
    public UserException(IReadOnlyList<string> problems) : base(string.Join("; ", problems)) => Problems = problems;

    public IReadOnlyList<string> Problems { get; }
}

/// <summary>A config that cannot be built or breaks a rule: an unknown preset, ablation, device or key, a value of the
/// wrong type, a combination the engine refuses. The message names the key.</summary>
public sealed class ConfigException : UserException
{
    public ConfigException(string message) : base(message) { }
    public ConfigException(IReadOnlyList<string> problems) : base(problems) { }
}

/// <summary>A file the user gave is missing or is not what it should be: a checkpoint, an official YAML config, a weights
/// file, a config file.</summary>
public sealed class InvalidFileException(string message, Exception? inner = null) : UserException(message, inner);

/// <summary>A request that does not fit the state of what it names: resuming a running run, deleting a queued one,
/// training into a folder that holds another run.</summary>
public sealed class ConflictException(string message) : UserException(message);

/// <summary>Something a request names does not exist: a run, a dataset, a study, an upload.</summary>
public sealed class NotFoundException(string message) : UserException(message);

/// <summary>A request its user's role does not allow: a viewer queueing a run, a researcher cancelling another's run. The
/// message says who may.</summary>
public sealed class ForbiddenException(string message) : UserException(message);

/// <summary>A request body or upload over a stated size limit.</summary>
public sealed class TooLargeException(string message) : UserException(message);

/// <summary>How a failure is said to a user.</summary>
public static class UserErrors
{
    /// <summary>Whether a user sees <paramref name="e"/>'s message alone: a <see cref="UserException"/>, or a full disk,
    /// which is the machine's state and not the lab's fault. Anything else is shown as a fault of the lab, with an id.</summary>
    public static bool Are(Exception e) => e is UserException || IsDiskFull(e);

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
