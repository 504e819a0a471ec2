using UniAD.Lab.Web.Api;

namespace UniAD.Lab.Web.Extensions;

/// <summary>The whole web lab, put together in one order for Program.cs and for the tests that start it.</summary>
public static class LabAppExtensions
{
    /// <param name="jobServers">Whether this process trains (Hangfire servers for the lab's queues); tests of the web
    /// side leave them out.</param>
    public static void AddLab(this WebApplicationBuilder builder, bool jobServers = true)
    {
        builder.AddLabServices();
        if (jobServers) builder.AddLabJobs();
        builder.AddLabAuth();
        builder.AddLabApi();
        builder.AddLabUi();
    }

    /// <summary>The database and data folders made ready (<see cref="LabInitializer"/>), then the request pipeline.</summary>
    public static async Task PrepareLabAsync(this WebApplication app)
    {
        await app.Services.GetRequiredService<LabInitializer>().InitializeAsync();
        app.UseLab();
    }
}
