using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using UniAD.Core;
using UniAD.Lab.Persistence;

namespace UniAD.Lab.Accounts;

/// <summary>A token as its owner's list shows it (never the secret).</summary>
public sealed record AccessTokenRow(int Id, string Name, string Prefix, DateTime CreatedAt, DateTime ExpiresAt, DateTime? RevokedAt, DateTime? LastUsedAt)
{
    public bool IsActive(DateTime now) => RevokedAt is null && ExpiresAt > now;
}

/// <summary>Personal access tokens: made by their owner with a name and a lifetime, listed, revoked, and checked when a
/// script sends one (<c>Authorization: Bearer uniad_…</c>).</summary>
public sealed class AccessTokens(IDbContextFactory<LabDbContext> databases, LabAudit audit)
{
    public const string SecretPrefix = "uniad_";
    public const int MaxNameLength = 100, MaxDays = 365, MaxActivePerUser = 50;

    /// <summary>A new token for <paramref name="owner"/>.</summary>
    /// <returns>The secret, which exists nowhere else once this returns.</returns>
    /// <exception cref="UserException">A blank or long name, a lifetime outside 1–365 days, or too many active tokens.</exception>
    public async Task<string> CreateAsync(string userId, LabActor owner, string name, int days, CancellationToken cancel = default)
    {
        name = name.Trim();
        await using var db = await databases.CreateDbContextAsync(cancel);
        var now = DateTime.UtcNow;
        int active = await db.AccessTokens.CountAsync(t => t.UserId == userId && t.RevokedAt == null && t.ExpiresAt > now, cancel);
        List<string?> found =
        [
            name.Length == 0 ? "a token needs a name (say what uses it)" : null,
            name.Length > MaxNameLength ? $"the token's name: {name.Length} characters, over the limit of {MaxNameLength}" : null,
            days is < 1 or > MaxDays ? $"a token lives 1 to {MaxDays} days, not {days}" : null,
            active >= MaxActivePerUser ? $"{owner.Name} has {active} active tokens, the most one account may have ({MaxActivePerUser}): revoke one first" : null,
        ];
        if (found.OfType<string>().ToList() is { Count: > 0 } problems) throw new UserException(problems);
        var secret = SecretPrefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        db.AccessTokens.Add(new AccessToken
        {
            UserId = userId, Name = name, SecretHash = Hash(secret), Prefix = secret[..(SecretPrefix.Length + 6)],
            CreatedAt = now, ExpiresAt = now.AddDays(days),
        });
        audit.Add(db, owner, "token.created", $"token '{name}'", $"expires {now.AddDays(days):yyyy-MM-dd}");
        await db.SaveChangesAsync(cancel);
        return secret;
    }

    public async Task<IReadOnlyList<AccessTokenRow>> ListAsync(string userId, CancellationToken cancel = default)
    {
        await using var db = await databases.CreateDbContextAsync(cancel);
        return await db.AccessTokens.Where(t => t.UserId == userId).OrderByDescending(t => t.CreatedAt)
            .Select(t => new AccessTokenRow(t.Id, t.Name, t.Prefix, t.CreatedAt, t.ExpiresAt, t.RevokedAt, t.LastUsedAt)).ToListAsync(cancel);
    }

    /// <exception cref="NotFoundException">The owner has no such token.</exception>
    public async Task RevokeAsync(string userId, LabActor owner, int tokenId, CancellationToken cancel = default)
    {
        await using var db = await databases.CreateDbContextAsync(cancel);
        var token = await db.AccessTokens.SingleOrDefaultAsync(t => t.Id == tokenId && t.UserId == userId, cancel)
                    ?? throw new NotFoundException($"{owner.Name} has no token {tokenId}");
        token.RevokedAt ??= DateTime.UtcNow;
        audit.Add(db, owner, "token.revoked", $"token '{token.Name}'");
        await db.SaveChangesAsync(cancel);
    }

    /// <summary>The owner of an active token with this secret, its use recorded.</summary>
    /// <returns>The owner's user id, or why the token is refused.</returns>
    public async Task<(string? UserId, string? Refusal)> CheckAsync(string secret, CancellationToken cancel = default)
    {
        if (!secret.StartsWith(SecretPrefix, StringComparison.Ordinal)) return (null, "that is not a token of this lab (they start with uniad_)");
        await using var db = await databases.CreateDbContextAsync(cancel);
        var hash = Hash(secret);
        var token = await db.AccessTokens.SingleOrDefaultAsync(t => t.SecretHash == hash, cancel);
        var now = DateTime.UtcNow;
        if (token is null) return (null, "no such token: it may have been mistyped, or the lab never made it");
        if (token.RevokedAt is { } revoked) return (null, $"the token '{token.Name}' was revoked on {revoked:yyyy-MM-dd HH:mm} UTC");
        if (token.ExpiresAt <= now) return (null, $"the token '{token.Name}' expired on {token.ExpiresAt:yyyy-MM-dd HH:mm} UTC");
        if (token.LastUsedAt is not { } used || now - used > TimeSpan.FromMinutes(1))        // not a write per request
            await db.AccessTokens.Where(t => t.Id == token.Id).ExecuteUpdateAsync(set => set.SetProperty(t => t.LastUsedAt, now), cancel);
        return (token.UserId, null);
    }

    public static string Hash(string secret) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));
}
