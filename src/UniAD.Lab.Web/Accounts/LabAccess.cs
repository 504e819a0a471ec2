using System.Net;
using Microsoft.AspNetCore.Http;
using UniAD.Lab;

namespace UniAD.Lab.Web.Accounts;

/// <summary>Whether this lab runs in laptop mode (no accounts) or with accounts, decided once the server has bound its
/// addresses: laptop mode only while every address is loopback (<see cref="AuthMode.Auto"/> picks accounts otherwise,
/// <see cref="AuthMode.None"/> refuses to start). Requests wait until the lab is <see cref="Open"/>: decided, and its
/// first admin made when the settings name one, so none is answered before (or refused for want of) either.</summary>
public sealed class LabAccess(AuthMode mode)
{
    private readonly TaskCompletionSource _open = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes when requests may be answered; cancelled when the lab refused to start.</summary>
    public Task Ready => _open.Task;

    public void Open() => _open.TrySetResult();

    /// <summary>Laptop mode: every request is the lab's one user, with every right. Accounts until decided otherwise.</summary>
    public bool IsLaptop { get; private set; }

    /// <param name="addresses">The addresses the server listens on (none for an in-memory test server).</param>
    /// <returns>Why the lab must not start, in one line; null when it may.</returns>
    public string? Decide(IReadOnlyCollection<string> addresses)
    {
        var exposed = addresses.Where(a => !IsLoopback(a)).ToList();
        string? refusal = mode == AuthMode.None && exposed.Count > 0
            ? $"Lab:Auth:Mode=None (laptop mode: no accounts) listens on loopback only, and this lab was started on {string.Join(", ", exposed)}: " +
              "listen on 127.0.0.1 or localhost, or start it with accounts (Lab:Auth:Mode=Accounts; README, \"Team lab\")"
            : null;
        if (refusal is null) IsLaptop = mode == AuthMode.None || (mode == AuthMode.Auto && exposed.Count == 0 && addresses.Count > 0);
        else _open.TrySetCanceled();
        return refusal;
    }

    /// <summary>localhost or a loopback IP; a wildcard (0.0.0.0, [::], *, +), a host name or a socket is not.</summary>
    private static bool IsLoopback(string address)
    {
        var host = BindingAddress.Parse(address).Host;
        return host.Equals("localhost", StringComparison.OrdinalIgnoreCase)
               || (IPAddress.TryParse(host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip));
    }
}
