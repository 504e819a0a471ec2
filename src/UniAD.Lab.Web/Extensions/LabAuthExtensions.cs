using Hangfire;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Identity;
using UniAD.Lab.Accounts;
using UniAD.Lab.Web.Accounts;

namespace UniAD.Lab.Web.Extensions;

/// <summary>Accounts and roles on every door (README, "Team lab"): Identity's login cookie for browsers, laptop mode's
/// one user on loopback, one authorization policy per role with the viewer's as the fallback, the Blazor circuit's user
/// revalidated, and the Hangfire dashboard behind the admin policy.</summary>
public static class LabAuthExtensions
{
    /// <summary>The scheme every request is authenticated by: it forwards to laptop mode's handler, to the token handler
    /// (a request with <c>Authorization: Bearer</c>) or to the login cookie.</summary>
    public const string LabScheme = "Lab";

    public static void AddLabAuth(this WebApplicationBuilder builder)
    {
        var options = builder.Configuration.GetSection(LabOptions.Section).Get<LabOptions>() ?? new LabOptions();
        builder.Services.AddSingleton(new LabAccess(options.Auth.Mode));
        builder.Services.AddAuthentication(LabScheme)
            .AddPolicyScheme(LabScheme, "UniAD Lab", scheme => scheme.ForwardDefaultSelector = http =>
                http.RequestServices.GetRequiredService<LabAccess>().IsLaptop ? LaptopAuthentication.Name
                : TokenAuthentication.IsTokenRequest(http.Request) ? TokenAuthentication.Name
                : IdentityConstants.ApplicationScheme)
            .AddScheme<AuthenticationSchemeOptions, LaptopAuthentication>(LaptopAuthentication.Name, null)
            .AddScheme<AuthenticationSchemeOptions, TokenAuthentication>(TokenAuthentication.Name, null)
            .AddIdentityCookies();
        new IdentityBuilder(typeof(LabUser), typeof(IdentityRole), builder.Services).AddSignInManager();
        builder.Services.ConfigureApplicationCookie(cookie =>
        {
            cookie.Cookie.Name = "uniad-lab";
            cookie.Cookie.SameSite = SameSiteMode.Lax;
            cookie.LoginPath = "/account/login";
            cookie.AccessDeniedPath = "/account/denied";
            cookie.ExpireTimeSpan = TimeSpan.FromDays(7);
            // Scripts and the API get a status, not a login page.
            cookie.Events.OnRedirectToLogin = context => AnswerOrRedirect(context, StatusCodes.Status401Unauthorized);
            cookie.Events.OnRedirectToAccessDenied = context => AnswerOrRedirect(context, StatusCodes.Status403Forbidden);
        });
        // A disabled account or a changed role reaches open sessions within a minute.
        builder.Services.Configure<SecurityStampValidatorOptions>(o => o.ValidationInterval = TimeSpan.FromMinutes(1));
        builder.Services.AddAuthorizationBuilder()
            .AddPolicy(LabPolicies.Viewer, policy => policy.RequireRole(LabRoles.AtLeast(LabRole.Viewer)))
            .AddPolicy(LabPolicies.Researcher, policy => policy.RequireRole(LabRoles.AtLeast(LabRole.Researcher)))
            .AddPolicy(LabPolicies.Admin, policy => policy.RequireRole(LabRoles.AtLeast(LabRole.Admin)))
            .SetFallbackPolicy(new Microsoft.AspNetCore.Authorization.AuthorizationPolicyBuilder().RequireRole(LabRoles.AtLeast(LabRole.Viewer)).Build());
        builder.Services.AddCascadingAuthenticationState();
        builder.Services.AddScoped<AuthenticationStateProvider, RevalidatingLabAuthenticationState>();
        builder.Services.AddScoped<CurrentActor>();
        builder.Services.AddHealthChecks();
    }

    private static Task AnswerOrRedirect(RedirectContext<CookieAuthenticationOptions> context, int status)
    {
        if (IsForScripts(context.Request)) context.Response.StatusCode = status;
        else context.Response.Redirect(context.RedirectUri);
        return Task.CompletedTask;
    }

    private static bool IsForScripts(HttpRequest request) =>
        request.Path.StartsWithSegments("/api") || request.Path.StartsWithSegments("/openapi") || request.Path.StartsWithSegments("/_blazor");

    /// <summary>Authentication, authorization and antiforgery, after requests have waited for the lab to open.</summary>
    public static void UseLabAuth(this WebApplication app)
    {
        var access = app.Services.GetRequiredService<LabAccess>();
        app.Use(async (http, next) =>
        {
            await access.Ready;
            await next(http);
        });
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseAntiforgery();
        app.MapHealthChecks("/health").AllowAnonymous();
        app.MapHangfireDashboardWithAuthorizationPolicy(LabPolicies.Admin, "/hangfire",
            new DashboardOptions { DashboardTitle = "UniAD Lab jobs", Authorization = [], AsyncAuthorization = [] });
        app.MapGet("/account/antiforgery", (HttpContext http, IAntiforgery antiforgery) =>
                TypedResults.Ok(new AntiforgeryTokenResponse(antiforgery.GetAndStoreTokens(http).RequestToken!)))
            .ExcludeFromDescription();
    }

    /// <summary>Starts the server, then decides laptop mode or accounts from the addresses it bound: refused (one line on
    /// the console, exit code 1) for laptop mode on a non-loopback address; with accounts and none made yet, the first
    /// admin is made from the settings or the setup link is written to the console and log. Requests are answered from then on.</summary>
    /// <returns>False when the lab refused to start.</returns>
    public static async Task<bool> StartLabAsync(this WebApplication app)
    {
        await app.StartAsync();
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
        var access = app.Services.GetRequiredService<LabAccess>();
        if (access.Decide([.. addresses]) is { } refusal)
        {
            await Console.Error.WriteLineAsync($"uniad lab: {refusal}");
            Environment.ExitCode = 1;
            await app.StopAsync();
            return false;
        }
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("UniAD.Lab.Web.Accounts");
        if (access.IsLaptop)
            logger.LogInformation("Laptop mode: no accounts, and only this machine can reach the lab (README, \"Team lab\")");
        else
        {
            await using var scope = app.Services.CreateAsyncScope();
            if (await scope.ServiceProvider.GetRequiredService<LabAccounts>().PrepareAsync() is { } code)
                logger.LogWarning("The lab has no account yet. Make the first admin at {Url}/account/setup?code={Code} (the code works once, until the lab restarts)",
                    addresses.FirstOrDefault()?.TrimEnd('/') ?? "", code);
        }
        access.Open();
        return true;
    }
}

/// <summary>A token for the <c>RequestVerificationToken</c> header of a browser's upload.</summary>
public sealed record AntiforgeryTokenResponse(string Token);
