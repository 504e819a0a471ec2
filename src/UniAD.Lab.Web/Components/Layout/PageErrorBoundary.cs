using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Web;
using Microsoft.JSInterop;
using UniAD.Core;

namespace UniAD.Lab.Web.Components.Layout;

/// <summary>Catches what a page throws: the exception goes to the log under an error id, and the page shows one line
/// with that id (see <see cref="MainLayout"/>) instead of a dead page. A user's mistake or a refused action
/// (<see cref="UserException"/>) a page did not answer itself shows its own message instead: it says why.</summary>
public sealed class PageErrorBoundary : ErrorBoundary
{
    [Inject] private ILogger<PageErrorBoundary> Logger { get; set; } = default!;

    public string ErrorId { get; private set; } = "";
    /// <summary>The message of a user's mistake or a refusal (e.g. a viewer cancelling a run); null for a fault of the lab.</summary>
    public string? Refusal { get; private set; }

    protected override Task OnErrorAsync(Exception exception)
    {
        // The browser left (a closed tab, a navigation) while a component was talking to it: nobody is there to see a
        // page, and nothing failed.
        if (exception is JSDisconnectedException) return Task.CompletedTask;
        Refusal = exception is UserException ? UserErrors.OneLine(exception) : null;
        ErrorId = Refusal is null ? ErrorIds.New() : "";
        if (Refusal is null) Logger.LogError(exception, "A page failed, error {ErrorId}", ErrorId);
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
