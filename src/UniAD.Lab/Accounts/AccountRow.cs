namespace UniAD.Lab.Accounts;

/// <summary>An account as the admin's list shows it.</summary>
/// <param name="LockedOutUntil">Set after too many failed logins (UTC); a disabled account is not locked out but disabled.</param>
public sealed record AccountRow(string UserName, LabRole Role, bool Disabled, DateTime? LockedOutUntil, DateTime CreatedAt, string CreatedBy);
