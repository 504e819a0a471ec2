using System.Security.Cryptography;
using System.Text;

namespace UniAD.Lab.Accounts;

/// <summary>The one-time code that lets the first admin be made on a lab with no account. Issued at start (the lab writes
/// it to its console and log), held in memory only, and closed once the admin exists: whoever can read the lab's log
/// is trusted to make the admin; whoever merely reaches its port is not, loopback included (a reverse proxy on the same
/// machine makes every request come from loopback).</summary>
public sealed class FirstAdminSetup
{
    // No 0/O, 1/I/L: the code is read from a log and typed.
    private const string Alphabet = "ABCDEFGHJKMNPQRSTUVWXYZ23456789";
    private volatile string? _code;

    public bool IsOpen => _code is not null;

    /// <summary>A new random code (20 characters, about 99 bits), replacing any before it.</summary>
    public string Issue()
    {
        var code = new StringBuilder();
        for (int i = 0; i < 20; i++)
        {
            if (i > 0 && i % 5 == 0) code.Append('-');
            code.Append(Alphabet[RandomNumberGenerator.GetInt32(Alphabet.Length)]);
        }
        return _code = code.ToString();
    }

    /// <summary>Whether <paramref name="code"/> is the open code (compared in constant time; case and spaces ignored).</summary>
    public bool Accepts(string? code)
    {
        if (_code is not { } open || code is null) return false;
        var given = code.Trim().ToUpperInvariant();
        return CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(given), Encoding.ASCII.GetBytes(open));
    }

    public void Close() => _code = null;
}
