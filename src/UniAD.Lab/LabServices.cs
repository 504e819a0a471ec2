using Hangfire;
using Hangfire.PostgreSql;
using Hangfire.PostgreSql.Factories;
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
using UniAD.Lab.Workers;

namespace UniAD.Lab;

/// <summary>The application layer's registration, one for every host: the web lab, and the tests, whose fixtures build
/// their lab from it too, so what they test is how the lab is put together.</summary>
public static class LabServices
{
    /// <summary>The assemblies of each provider's migrations (migrations/Sqlite, migrations/Postgres); named, not
    /// referenced, since they reference this one.</summary>
    public const string SqliteMigrationsAssembly = "UniAD.Lab.Migrations.Sqlite", PostgresMigrationsAssembly = "UniAD.Lab.Migrations.Postgres";

    /// <summary>Options (section <c>Lab</c>), the database, and the lab's services; no job server.</summary>
    public static IServiceCollection AddLab(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<LabOptions>(configuration.GetSection(LabOptions.Section));
        services.AddDbContextFactory<LabDbContext>((provider, db) =>
        {
            var options = provider.GetRequiredService<IOptions<LabOptions>>().Value;
            var connection = options.Expand(options.Database.ConnectionString);
            switch (options.Database.Kind)
            {
                case DatabaseProvider.Sqlite:
                    Directory.CreateDirectory(options.DataRoot);
                    db.UseSqlite(connection, sqlite => sqlite.MigrationsAssembly(SqliteMigrationsAssembly));
                    break;
                case DatabaseProvider.Postgres:
                    db.UseNpgsql(connection, postgres => postgres.MigrationsAssembly(PostgresMigrationsAssembly));
                    break;
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
        services.AddSingleton<WorkerRegistry>();
        services.AddSingleton<InterruptedRuns>();
        services.AddHostedService<InterruptedRunWatch>();
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

    /// <summary>Hangfire's storage and its client: enough to queue jobs (a host that also trains adds job servers). On
    /// SQLite it is a file of its own beside the lab's; on PostgreSQL the lab's database, in a schema of its own
    /// (<see cref="HangfireSchema"/>), so every lab and worker on that database shares one queue.</summary>
    public static IServiceCollection AddLabJobStorage(this IServiceCollection services, IConfiguration configuration)
    {
        var options = configuration.GetSection(LabOptions.Section).Get<LabOptions>() ?? new LabOptions();
        services.AddHangfire(hangfire => hangfire.UseSimpleAssemblyNameTypeSerializer().UseRecommendedSerializerSettings().UseStorage(JobStorageOf(options)));
        return services;
    }

    /// <summary>A Hangfire server in this process for <paramref name="queues"/>, with <paramref name="workers"/> jobs at once.</summary>
    public static IServiceCollection AddLabJobServer(this IServiceCollection services, IReadOnlyList<string> queues, int workers) =>
        services.AddHangfireServer(server =>
        {
            server.ServerName = $"{WorkerRegistry.ThisProcess}:{string.Join(",", queues)}";
            server.Queues = [.. queues];
            server.WorkerCount = workers;
        });

    /// <summary>This process trains runs from <paramref name="queues"/>, <paramref name="workers"/> at once: its registration
    /// and heartbeat as a worker (before its server, so no run starts unregistered), and its drainable job server.</summary>
    public static IServiceCollection AddLabTraining(this IServiceCollection services, IReadOnlyList<string> queues, int workers) =>
        services.AddSingleton(new TrainingQueues(queues, workers)).AddSingleton<TrainingServer>()
            .AddHostedService<WorkerHeartbeat>().AddHostedService(jobs => jobs.GetRequiredService<TrainingServer>());

    /// <summary>A job storage and client that this container alone holds, not Hangfire's static <c>JobStorage.Current</c>:
    /// for a second lab in one process (the move command, the tests). The storage connects when first used.</summary>
    public static IServiceCollection AddLabJobClient(this IServiceCollection services, LabOptions options) =>
        services.AddSingleton(_ => JobStorageOf(options)).AddSingleton<IBackgroundJobClient>(jobs => new BackgroundJobClient(jobs.GetRequiredService<JobStorage>()));

    /// <summary>The schema of Hangfire's tables in a PostgreSQL lab database, apart from the lab's own (public).</summary>
    public const string HangfireSchema = "hangfire";

    /// <summary>The storage hands a job that has run longer than this to the next free worker, aborting the first (the
    /// storages' default, 30 minutes, is shorter than most trainings). The lab recovers runs a crash left behind itself
    /// (<see cref="LabInitializer"/>), so the job server never needs to.</summary>
    public static readonly TimeSpan JobInvisibilityTimeout = TimeSpan.FromDays(30);

    /// <summary>The job storage <paramref name="options"/> name; tests give each lab its own instance of it.</summary>
    public static JobStorage JobStorageOf(LabOptions options) => options.Database.Kind switch
    {
        DatabaseProvider.Postgres => new PostgreSqlStorage(new NpgsqlConnectionFactory(options.Expand(options.Database.ConnectionString), PostgresJobOptions), PostgresJobOptions),
        _ => new SQLiteStorage(SqliteJobFile(options), new SQLiteStorageOptions { InvisibilityTimeout = JobInvisibilityTimeout }),
    };

    /// <summary>Idle workers look for a queued run every second (the storage's default, 15 s, would keep a run waiting).</summary>
    private static PostgreSqlStorageOptions PostgresJobOptions => new()
    {
        SchemaName = HangfireSchema, InvisibilityTimeout = JobInvisibilityTimeout, PrepareSchemaIfNecessary = true, QueuePollInterval = TimeSpan.FromSeconds(1),
    };

    private static string SqliteJobFile(LabOptions options)
    {
        Directory.CreateDirectory(options.DataRoot);
        return Path.GetFullPath(options.Expand(options.HangfireDatabase));
    }
}
