using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Web;

namespace UniAD.Lab.Web.Components.Layout;

/// <summary>Catches what a page throws: the exception goes to the log under an error id, and the page shows one line
/// with that id (see <see cref="MainLayout"/>) instead of a dead page.</summary>
public sealed class PageErrorBoundary : ErrorBoundary
{
    [Inject] private ILogger<PageErrorBoundary> Logger { get; set; } = default!;

    public string ErrorId { get; private set; } = "";

    protected override Task OnErrorAsync(Exception exception)
    {
        ErrorId = ErrorIds.New();
        Logger.LogError(exception, "A page failed, error {ErrorId}", ErrorId);
        return Task.CompletedTask;
    }
}
