using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor.Services;
using UniAD.Lab.Web.Components.Layout;

namespace UniAD.Lab.Web.Tests;

/// <summary>What the layout shows when the page inside it throws: one line with an error id, never the exception.</summary>
public sealed class LayoutTests : BunitContext, IAsyncLifetime
{
    public Task InitializeAsync() => Task.CompletedTask;

    /// <summary>MudBlazor holds services that only dispose asynchronously.</summary>
    Task IAsyncLifetime.DisposeAsync() => DisposeAsync().AsTask();

    public LayoutTests()
    {
        Services.AddMudServices();
        JSInterop.Mode = JSRuntimeMode.Loose;
        this.SignInAsLaptopUser();
    }

    /// <summary>Loads, then fails while rendering, as a page does that meets a damaged record.</summary>
    private sealed class ThrowingPage : ComponentBase
    {
        private bool _loaded;

        protected override async Task OnInitializedAsync()
        {
            await Task.Delay(10);
            _loaded = true;
        }

        protected override void BuildRenderTree(Microsoft.AspNetCore.Components.Rendering.RenderTreeBuilder builder)
        {
            if (_loaded) throw new InvalidOperationException("a page's own fault");
        }
    }

    [Fact]
    public void APageThatThrowsShowsOneLineWithAnErrorIdAndNotTheException()
    {
        var cut = Render<MainLayout>(p => p.Add(l => l.Body, builder =>
        {
            builder.OpenComponent<ThrowingPage>(0);
            builder.CloseComponent();
        }));
        var alert = cut.WaitForElement(".page-error");
        Assert.Matches(@"This page failed \(error [0-9a-f]{8}\); the lab's log has the details", alert.TextContent);
        Assert.DoesNotContain("a page's own fault", cut.Markup);
    }
}
