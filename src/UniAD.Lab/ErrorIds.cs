namespace UniAD.Lab;

/// <summary>A short id that a failure shown to a user (a run's error, an API answer, an error page) shares with the log
/// line that holds its details, so that no stack trace ever needs to be shown and the log entry is still found.</summary>
public static class ErrorIds
{
    public static string New() => Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(4));
}
