namespace UniAD.Lab.Web.Extensions;

/// <summary>The application layer (UniAD.Lab's own registration) and Hangfire's storage, from the lab's settings.</summary>
public static class LabServiceExtensions
{
    public static void AddLabServices(this WebApplicationBuilder builder)
    {
        builder.Services.AddLab(builder.Configuration);
        builder.Services.AddLabJobStorage(builder.Configuration);
    }
}
