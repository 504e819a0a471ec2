using Hangfire;
using Hangfire.Storage.SQLite;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using UniAD.Lab.Accounts;
using UniAD.Lab.Compare;
using UniAD.Lab.Datasets;
using UniAD.Lab.Persistence;
using UniAD.Lab.Runs;
using UniAD.Lab.Studies;

namespace UniAD.Lab;

/// <summary>The application layer's registration, one for every host: the web lab, and the tests, whose fixtures build
/// their lab from it too, so what they test is how the lab is put together.</summary>
public static class LabServices
{
    /// <summary>The assembly of the SQLite migrations (migrations/Sqlite); named, not referenced, since it references this one.</summary>
    public const string SqliteMigrationsAssembly = "UniAD.Lab.Migrations.Sqlite";

    /// <summary>Options (section <c>Lab</c>), the database, and the lab's services; no job server.</summary>
    public static IServiceCollection AddLab(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<LabOptions>(configuration.GetSection(LabOptions.Section));
        services.AddDbContextFactory<LabDbContext>((provider, db) =>
        {
            var options = provider.GetRequiredService<IOptions<LabOptions>>().Value;
            var connection = options.Expand(options.Database.ConnectionString);
            switch (options.Database.Provider)
            {
                case "Sqlite":
                    Directory.CreateDirectory(options.DataRoot);
                    db.UseSqlite(connection, sqlite => sqlite.MigrationsAssembly(SqliteMigrationsAssembly));
                    break;
                default:
                    throw new InvalidOperationException($"Lab:Database:Provider '{options.Database.Provider}' is not supported yet; use Sqlite");
            }
        });
        services.AddLabAccounts();
        services.AddSingleton<RunEvents>();
        services.AddSingleton<DatasetCatalog>();
        services.AddSingleton<DatasetBrowser>();
        services.AddSingleton<LabInitializer>();
        services.AddSingleton<RunLauncher>();
        services.AddSingleton<RunRequests>();
        services.AddSingleton<OfficialImports>();
        services.AddSingleton<RunQueries>();
        services.AddSingleton<RunEditor>();
        services.AddSingleton<RunMaps>();
        services.AddSingleton<RunEstimator>();
        services.AddSingleton<CompareQueries>();
        services.AddSingleton<StudyQueries>();
        services.AddTransient<TrainingJob>();
        return services;
    }

    /// <summary>Identity's user and role stores on the lab's database, with the password and lockout rules of
    /// <c>Lab:Auth</c>. The web lab adds sign-in on top (<see cref="IdentityBuilder"/> over the same types).</summary>
    private static void AddLabAccounts(this IServiceCollection services)
    {
        services.AddIdentityCore<LabUser>().AddRoles<IdentityRole>().AddEntityFrameworkStores<LabDbContext>();
        services.AddOptions<IdentityOptions>().Configure<IOptions<LabOptions>>((identity, lab) =>
        {
            var auth = lab.Value.Auth;
            identity.Password = new PasswordOptions
            {
                RequiredLength = auth.MinPasswordLength, RequiredUniqueChars = 4,
                RequireDigit = false, RequireLowercase = false, RequireUppercase = false, RequireNonAlphanumeric = false,
            };
            identity.Lockout = new LockoutOptions
            {
                AllowedForNewUsers = true, MaxFailedAccessAttempts = auth.MaxFailedLogins, DefaultLockoutTimeSpan = TimeSpan.FromMinutes(auth.LockoutMinutes),
            };
            identity.User.RequireUniqueEmail = false;
        });
        services.AddSingleton<FirstAdminSetup>();
        services.AddScoped<LabAccounts>();
        services.AddSingleton<AccessTokens>();
        services.AddSingleton<LabAudit>();
    }

    /// <summary>Hangfire's storage, in its own SQLite file kept apart from the lab's tables, and its client: enough to
    /// queue jobs. A host that also trains adds job servers.</summary>
    public static IServiceCollection AddLabJobStorage(this IServiceCollection services, IConfiguration configuration)
    {
        var options = configuration.GetSection(LabOptions.Section).Get<LabOptions>() ?? new LabOptions();
        Directory.CreateDirectory(options.DataRoot);
        services.AddHangfire(hangfire => hangfire
            .UseSimpleAssemblyNameTypeSerializer()
            .UseRecommendedSerializerSettings()
            .UseSQLiteStorage(Path.GetFullPath(options.Expand(options.HangfireDatabase)), new SQLiteStorageOptions
            {
                // The storage hands a job that has run longer than this to the next free worker, aborting the first
                // (its default, 30 minutes, is shorter than most trainings). The lab recovers runs a crash left behind
                // itself (LabInitializer), so the job server never needs to.
                InvisibilityTimeout = TimeSpan.FromDays(30),
            }));
        return services;
    }
}
