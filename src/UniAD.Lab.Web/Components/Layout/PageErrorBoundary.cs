using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Web;
using Microsoft.JSInterop;

namespace UniAD.Lab.Web.Components.Layout;

/// <summary>Catches what a page throws: the exception goes to the log under an error id, and the page shows one line
/// with that id (see <see cref="MainLayout"/>) instead of a dead page.</summary>
public sealed class PageErrorBoundary : ErrorBoundary
{
    [Inject] private ILogger<PageErrorBoundary> Logger { get; set; } = default!;

    public string ErrorId { get; private set; } = "";

    protected override Task OnErrorAsync(Exception exception)
    {
        // The browser left (a closed tab, a navigation) while a component was talking to it: nobody is there to see a
        // page, and nothing failed.
        if (exception is JSDisconnectedException) return Task.CompletedTask;
        ErrorId = ErrorIds.New();
        Logger.LogError(exception, "A page failed, error {ErrorId}", ErrorId);
        // When the page threw inside its own rendering, the boundary's error render is not the one that reaches the
        // browser (measured: the page stayed blank); one more render, queued after this one, does.
        _ = InvokeAsync(async () =>
        {
            await Task.Yield();
            StateHasChanged();
        });
        return Task.CompletedTask;
    }
}
