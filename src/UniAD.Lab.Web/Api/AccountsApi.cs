using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using UniAD.Core;
using UniAD.Lab.Accounts;
using UniAD.Lab.Web.Accounts;
using UniAD.Lab.Web.Api.Contracts;

namespace UniAD.Lab.Web.Api;

/// <summary><c>/api/users</c>, an admin's (what the Users page does, for provisioning scripts), and <c>/api/tokens</c>,
/// each user's own personal access tokens.</summary>
public static class AccountsApi
{
    public static void MapAccountsApi(this IEndpointRouteBuilder api)
    {
        var users = api.MapGroup("/users").WithTags("Users").RequireAuthorization(LabPolicies.Admin);
        users.MapGet("", ListUsersAsync).WithSummary("Every account with its role and state").Problems(403);
        users.MapPost("", CreateUserAsync).WithSummary("Make an account with a role and a first password").Problems(400, 403);
        users.MapPost("/{userName}/role", SetRoleAsync).WithSummary("Change an account's role (the lab keeps one enabled admin)").Problems(400, 403, 404, 409);
        users.MapPost("/{userName}/disable", (string userName, LabAccounts accounts, ClaimsPrincipal user) => SetDisabledAsync(userName, true, accounts, user))
            .WithSummary("Disable an account: it cannot sign in, its sessions and tokens stop working").Problems(403, 404, 409);
        users.MapPost("/{userName}/enable", (string userName, LabAccounts accounts, ClaimsPrincipal user) => SetDisabledAsync(userName, false, accounts, user))
            .WithSummary("Enable a disabled account again").Problems(403, 404);
        users.MapPost("/{userName}/password", ResetPasswordAsync).WithSummary("Set a new password for an account (its sessions end)").Problems(400, 403, 404);

        var tokens = api.MapGroup("/tokens").WithTags("Tokens").ForOwnAccount();
        tokens.MapGet("", ListTokensAsync).WithSummary("Your personal access tokens (never their secrets)");
        tokens.MapPost("", CreateTokenAsync).WithSummary("Make a personal access token; its secret is in this answer only")
            .WithDescription($"days is 1 to {AccessTokens.MaxDays}. A token cannot make tokens: sign in to make one.").Problems(400, 403);
        tokens.MapPost("/{id:int}/revoke", RevokeTokenAsync).WithSummary("Revoke one of your tokens; scripts using it are refused from now on").Problems(404);
    }

    private static async Task<Ok<AccountResponse[]>> ListUsersAsync(LabAccounts accounts) =>
        TypedResults.Ok((await accounts.ListAsync()).Select(AccountResponse.Of).ToArray());

    private static async Task<Created<AccountResponse>> CreateUserAsync(CreateAccountRequest body, LabAccounts accounts, ClaimsPrincipal user)
    {
        await accounts.CreateAsync(body.UserName, body.Password, LabRoles.Parse(body.Role), user.Actor());
        return TypedResults.Created($"/api/users/{Uri.EscapeDataString(body.UserName.Trim())}",
            AccountResponse.Of((await accounts.ListAsync()).Single(a => a.UserName == body.UserName.Trim())));
    }

    private static async Task<NoContent> SetRoleAsync(string userName, RoleRequest body, LabAccounts accounts, ClaimsPrincipal user)
    {
        await accounts.SetRoleAsync(userName, LabRoles.Parse(body.Role), user.Actor());
        return TypedResults.NoContent();
    }

    private static async Task<NoContent> SetDisabledAsync(string userName, bool disabled, LabAccounts accounts, ClaimsPrincipal user)
    {
        await accounts.SetDisabledAsync(userName, disabled, user.Actor());
        return TypedResults.NoContent();
    }

    private static async Task<NoContent> ResetPasswordAsync(string userName, PasswordRequest body, LabAccounts accounts, ClaimsPrincipal user)
    {
        await accounts.ResetPasswordAsync(userName, body.Password, user.Actor());
        return TypedResults.NoContent();
    }

    private static string UserIdOf(ClaimsPrincipal user) =>
        user.FindFirstValue(ClaimTypes.NameIdentifier) ?? throw new ConflictException("laptop mode has no accounts, and so no tokens");

    private static async Task<Ok<TokenResponse[]>> ListTokensAsync(AccessTokens tokens, ClaimsPrincipal user) =>
        TypedResults.Ok((await tokens.ListAsync(UserIdOf(user))).Select(TokenResponse.Of).ToArray());

    private static async Task<Created<CreatedTokenResponse>> CreateTokenAsync(CreateTokenRequest body, AccessTokens tokens, ClaimsPrincipal user)
    {
        if (user.Identity?.AuthenticationType == TokenAuthentication.Name)
            throw new ForbiddenException("a token cannot make tokens: sign in (the tokens page, or POST /account/login) to make one");
        var userId = UserIdOf(user);
        var secret = await tokens.CreateAsync(userId, user.Actor(), body.Name, body.Days);
        var made = (await tokens.ListAsync(userId)).First();
        return TypedResults.Created((string?)null, new CreatedTokenResponse(TokenResponse.Of(made), secret));
    }

    private static async Task<NoContent> RevokeTokenAsync(int id, AccessTokens tokens, ClaimsPrincipal user)
    {
        await tokens.RevokeAsync(UserIdOf(user), user.Actor(), id);
        return TypedResults.NoContent();
    }
}
