using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using UniAD.Lab.Datasets;
using UniAD.Lab.Migrations.Sqlite;
using UniAD.Lab.Persistence;
using UniAD.Lab.Compare;
using UniAD.Lab.Runs;
using UniAD.Lab.Studies;

namespace UniAD.Lab.Web.Extensions;

/// <summary>The application layer: options, database, dataset catalogue, run launcher and training job.</summary>
public static class LabServiceExtensions
{
    public static void AddLabServices(this WebApplicationBuilder builder)
    {
        builder.Services.Configure<LabOptions>(builder.Configuration.GetSection(LabOptions.Section));
        builder.Services.AddDbContextFactory<LabDbContext>((services, db) =>
        {
            var options = services.GetRequiredService<IOptions<LabOptions>>().Value;
            var connection = options.Expand(options.Database.ConnectionString);
            switch (options.Database.Provider)
            {
                case "Sqlite":
                    Directory.CreateDirectory(options.DataRoot);
                    db.UseSqlite(connection, SqliteMigrations.Configure);
                    break;
                default:
                    throw new InvalidOperationException($"Lab:Database:Provider '{options.Database.Provider}' is not supported yet; use Sqlite");
            }
        });
        builder.Services.AddSingleton<RunEvents>();
        builder.Services.AddSingleton<DatasetCatalog>();
        builder.Services.AddSingleton<LabInitializer>();
        builder.Services.AddScoped<RunLauncher>();
        builder.Services.AddScoped<OfficialImports>();
        builder.Services.AddSingleton<RunQueries>();
        builder.Services.AddSingleton<RunEditor>();
        builder.Services.AddSingleton<RunMaps>();
        builder.Services.AddSingleton<CompareQueries>();
        builder.Services.AddSingleton<StudyQueries>();
        builder.Services.AddScoped<StudyLauncher>();
        builder.Services.AddSingleton<RunEstimator>();
        builder.Services.AddSingleton<DatasetBrowser>();
        builder.Services.AddTransient<TrainingJob>();
    }
}
