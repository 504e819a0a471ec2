using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using UniAD.Core;

namespace UniAD.Lab.Accounts;

/// <summary>The team lab's accounts, on ASP.NET Core Identity: the first admin, and what an admin does to accounts
/// (create, change a role, disable, reset a password). Each account has exactly one role. A disabled account is one
/// locked out for good, so Identity's own login refuses it; its security stamp changes, which ends its sessions.</summary>
public sealed class LabAccounts(UserManager<LabUser> users, RoleManager<IdentityRole> roles, FirstAdminSetup setup, IOptions<LabOptions> options,
    LabAudit audit, ILogger<LabAccounts> logger)
{
    private static readonly SemaphoreSlim FirstAdminLock = new(1, 1);

    /// <summary>At start: the three roles exist; on a lab with no account, the first admin is made from
    /// <c>Lab:Auth:FirstAdmin</c> when it is set (unattended installs), or else a setup code is issued.</summary>
    /// <returns>The setup code to tell whoever starts the lab, or null when the lab has an account.</returns>
    public async Task<string?> PrepareAsync()
    {
        await EnsureRolesAsync();
        if (await users.Users.AnyAsync()) return null;
        if (options.Value.Auth.FirstAdmin is { UserName.Length: > 0, Password.Length: > 0 } first)
        {
            await CreateFirstAdminAsync(first.UserName, first.Password);
            logger.LogInformation("Made the first admin, {UserName}, from Lab:Auth:FirstAdmin", first.UserName);
            return null;
        }
        return setup.Issue();
    }

    private async Task EnsureRolesAsync()
    {
        foreach (var role in Enum.GetNames<LabRole>())
            if (!await roles.RoleExistsAsync(role)) Check(await roles.CreateAsync(new IdentityRole(role)));
    }

    /// <summary>The first admin, on a lab with no account yet.</summary>
    /// <exception cref="ConflictException">The lab has an account already.</exception>
    /// <exception cref="UserException">A user name or password that breaks a rule (each rule named).</exception>
    public async Task CreateFirstAdminAsync(string userName, string password)
    {
        await FirstAdminLock.WaitAsync();
        try
        {
            if (await users.Users.AnyAsync()) throw new ConflictException("the lab has accounts already: an admin makes new ones on the Users page");
            await EnsureRolesAsync();
            await CreateAsync(userName, password, LabRole.Admin, createdBy: "");
            setup.Close();
            await audit.RecordAsync(userName.Trim(), "account.first-admin", $"account {userName.Trim()}");
        }
        finally { FirstAdminLock.Release(); }
    }

    /// <exception cref="ForbiddenException">The actor is not an admin.</exception>
    /// <exception cref="UserException">A user name or password that breaks a rule, or a name already taken.</exception>
    public async Task CreateAsync(string userName, string password, LabRole role, LabActor actor)
    {
        actor.DemandAdmin("make accounts");
        await CreateAsync(userName, password, role, actor.Name);
        await audit.RecordAsync(actor.Name, "account.created", $"account {userName.Trim()}", role.ToString());
    }

    private async Task CreateAsync(string userName, string password, LabRole role, string createdBy)
    {
        var user = new LabUser { UserName = userName.Trim(), CreatedAt = DateTime.UtcNow, CreatedBy = createdBy };
        Check(await users.CreateAsync(user, password));
        Check(await users.AddToRoleAsync(user, role.ToString()));
    }

    public async Task<IReadOnlyList<AccountRow>> ListAsync()
    {
        var rows = new List<AccountRow>();
        foreach (var user in await users.Users.OrderBy(u => u.UserName).ToListAsync())
        {
            var end = user.LockoutEnd;
            rows.Add(new AccountRow(user.UserName!, await RoleOfAsync(user), end == DateTimeOffset.MaxValue,
                end is { } until && until != DateTimeOffset.MaxValue && until > DateTimeOffset.UtcNow ? until.UtcDateTime : null,
                user.CreatedAt, user.CreatedBy));
        }
        return rows;
    }

    /// <summary>The account's one role (a user with none, made outside the lab, is a viewer).</summary>
    public async Task<LabRole> RoleOfAsync(LabUser user) =>
        (await users.GetRolesAsync(user)).Select(name => Enum.TryParse<LabRole>(name, out var role) ? role : LabRole.Viewer).DefaultIfEmpty().Max();

    /// <exception cref="ConflictException">It would leave the lab without an enabled admin.</exception>
    public async Task SetRoleAsync(string userName, LabRole role, LabActor actor)
    {
        actor.DemandAdmin("change roles");
        var user = await FindAsync(userName);
        var current = await RoleOfAsync(user);
        if (current == role) return;
        if (current == LabRole.Admin) await KeepAnAdminAsync(user, $"{userName} cannot stop being an admin");
        Check(await users.RemoveFromRolesAsync(user, await users.GetRolesAsync(user)));
        Check(await users.AddToRoleAsync(user, role.ToString()));
        Check(await users.UpdateSecurityStampAsync(user));                  // open sessions pick the new role up
        await audit.RecordAsync(actor.Name, "account.role-changed", $"account {userName}", $"{current} → {role}");
    }

    /// <exception cref="ConflictException">Disabling the last enabled admin.</exception>
    public async Task SetDisabledAsync(string userName, bool disabled, LabActor actor)
    {
        actor.DemandAdmin(disabled ? "disable accounts" : "enable accounts");
        var user = await FindAsync(userName);
        if (disabled && await RoleOfAsync(user) == LabRole.Admin) await KeepAnAdminAsync(user, $"{userName} cannot be disabled");
        Check(await users.SetLockoutEnabledAsync(user, true));
        Check(await users.SetLockoutEndDateAsync(user, disabled ? DateTimeOffset.MaxValue : null));
        if (!disabled) Check(await users.ResetAccessFailedCountAsync(user));
        Check(await users.UpdateSecurityStampAsync(user));                  // a disabled account's sessions end
        await audit.RecordAsync(actor.Name, disabled ? "account.disabled" : "account.enabled", $"account {userName}");
    }

    /// <summary>An admin sets a new password for someone who forgot theirs; their sessions end.</summary>
    public async Task ResetPasswordAsync(string userName, string newPassword, LabActor actor)
    {
        actor.DemandAdmin("reset passwords");
        var user = await FindAsync(userName);
        foreach (var validator in users.PasswordValidators) Check(await validator.ValidateAsync(users, user, newPassword));
        Check(await users.RemovePasswordAsync(user));                       // both change the security stamp
        Check(await users.AddPasswordAsync(user, newPassword));
        await audit.RecordAsync(actor.Name, "account.password-reset", $"account {userName}");
        Check(await users.SetLockoutEndDateAsync(user, user.LockoutEnd == DateTimeOffset.MaxValue ? user.LockoutEnd : null));
    }

    private async Task<LabUser> FindAsync(string userName) =>
        await users.FindByNameAsync(userName) ?? throw new NotFoundException($"there is no account '{userName}'");

    /// <summary>Refuses a change that would leave no enabled admin but <paramref name="user"/>.</summary>
    private async Task KeepAnAdminAsync(LabUser user, string refused)
    {
        var admins = await users.GetUsersInRoleAsync(LabRoles.Admin);
        if (!admins.Any(a => a.Id != user.Id && a.LockoutEnd != DateTimeOffset.MaxValue))
            throw new ConflictException($"{refused}: the lab needs an enabled admin, and there is no other");
    }

    /// <summary>An Identity failure as the user's mistake, each of its errors a line.</summary>
    private static void Check(IdentityResult result)
    {
        if (!result.Succeeded) throw new UserException([.. result.Errors.Select(e => e.Description)]);
    }
}
