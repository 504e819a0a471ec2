namespace UniAD.Lab.Accounts;

/// <summary>A personal access token for scripts: it acts for its owner, with the owner's role of the moment (never
/// more), until it expires or is revoked. Only a hash of its secret is stored; the secret is shown once, when made.</summary>
public sealed class AccessToken
{
    public int Id { get; set; }
    public required string UserId { get; set; }
    public required string Name { get; set; }
    /// <summary>SHA-256 of the secret, hex. The secret is 256 random bits, so a fast hash is as good as a slow one.</summary>
    public required string SecretHash { get; set; }
    /// <summary>The secret's first characters, so a list can say which token is which.</summary>
    public required string Prefix { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime ExpiresAt { get; set; }
    public DateTime? RevokedAt { get; set; }
    public DateTime? LastUsedAt { get; set; }
}
