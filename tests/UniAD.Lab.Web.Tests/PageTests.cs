using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor.Services;
using UniAD.Lab.Persistence;
using UniAD.Lab.Runs;
using UniAD.Lab.Web.Components.Pages.Runs;

namespace UniAD.Lab.Web.Tests;

/// <summary>The New run form and the runs grid, rendered by bUnit over a real lab (SQLite file, Hangfire storage): every
/// service a page asks for comes from the lab's own registration (UniAD.Lab's AddLab), as in the web lab.</summary>
public sealed class PageTests : IAsyncLifetime
{
    private readonly Lab.Tests.Lab _lab = new();
    private readonly BunitContext _bunit = new();

    public PageTests()
    {
        _bunit.Services.AddMudServices();
        _bunit.Services.AddFallbackServiceProvider(_lab.Services);
        _bunit.JSInterop.Mode = JSRuntimeMode.Loose;
        _bunit.SignInAsLaptopUser();
    }

    private IRenderedComponent<T> Render<T>() where T : Microsoft.AspNetCore.Components.IComponent => _bunit.Render<T>();

    private static string Problems(IRenderedComponent<NewRunPage> page) =>
        string.Join(" | ", page.FindAll("[data-testid=run-problem]").Select(p => p.TextContent.Trim()));

    [Fact]
    public async Task TheRunFormNamesEveryProblemAndQueuesOnlyWhenThereIsNone()
    {
        await _lab.ImportTinyAsync();
        var cut = Render<NewRunPage>();
        cut.WaitForState(() => cut.FindAll("[data-testid=run-problem]").Count == 1);
        Assert.Equal("give the run a name", cut.Find("[data-testid=run-problem]").TextContent.Trim());
        Assert.True(cut.Find("[data-testid=queue-run]").HasAttribute("disabled"));

        cut.Find("[data-testid=run-overrides]").Input("model.hiden_dim=64");
        cut.WaitForAssertion(() => Assert.StartsWith("give the run a name | override 'model.hiden_dim=64': unknown key 'hiden_dim'", Problems(cut)));
        Assert.Contains("unknown key", cut.Find("[data-testid=run-config]").TextContent);

        cut.Find("[data-testid=run-name]").Input("my run");
        cut.Find("[data-testid=run-overrides]").Input("model.hidden_dim=64");
        cut.WaitForAssertion(() => Assert.Equal("", Problems(cut)));
        Assert.Contains("\"hidden_dim\": 64", cut.Find("[data-testid=run-config]").TextContent);
        cut.WaitForAssertion(() => Assert.Contains("No estimate yet", cut.Find("[data-testid=run-estimate]").TextContent));   // read from the database
        cut.Find("[data-testid=queue-run]").Click();

        // The handler queues asynchronously, then opens the new run's page: wait for that before reading the database.
        var navigation = _bunit.Services.GetRequiredService<NavigationManager>();
        cut.WaitForAssertion(() => Assert.Matches(@"/runs/\d+$", navigation.Uri));
        var run = Assert.Single((await _lab.Queries.PageAsync(new RunPageRequest(0, 10))).Runs);
        Assert.Equal(("my run", RunStatus.Queued), (run.Name, run.Status));
        Assert.Equal(1, _lab.JobStorage.GetMonitoringApi().EnqueuedCount(Queues.Training));
    }

    [Fact]
    public async Task TheGridPagesOnTheServer()
    {
        int datasetId = await _lab.ImportTinyAsync();
        using (var db = _lab.Db())
        {
            for (int i = 1; i <= 12; i++)
                db.Runs.Add(new RunRecord
                {
                    Name = $"run {i:D2}", DatasetId = datasetId, Request = new() { ConfigJson = "{}" }, Status = RunStatus.Finished,
                    Summary = new() { MeanImageAuroc = i / 100.0 },
                });
            db.SaveChanges();
        }

        var cut = Render<RunsPage>();
        cut.WaitForState(() => cut.FindAll("[data-testid=runs-grid] tbody tr").Count == 10);
        var first = cut.FindAll("[data-testid=runs-grid] tbody tr")[0].TextContent;
        Assert.Contains("run 12", first);                                      // newest first
        Assert.Contains("12.0", first);                                        // AUROC as a percentage
        Assert.Contains("1-10 of 12", cut.Markup);
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await _bunit.DisposeAsync();
        _lab.Dispose();
    }
}
