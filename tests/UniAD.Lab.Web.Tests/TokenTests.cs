using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using UniAD.Lab.Accounts;
using UniAD.Lab.Persistence;

namespace UniAD.Lab.Web.Tests;

/// <summary>Personal access tokens on the real app: a token acts with its owner's role of the moment and no more, a
/// revoked or expired one is refused with the reason, and the database holds only a hash. The audit list records who
/// made and revoked them and is an admin's alone.</summary>
[Collection(WholeApp.Name)]
public sealed class TokenTests : IAsyncLifetime
{
    private const string Password = TeamApp.Password;
    private static readonly LabActor Root = TeamApp.Root, Rita = TeamApp.Rita, Vic = TeamApp.Vic;

    private TeamApp _team = null!;
    private WebApplication _app = null!;
    private string _url = "", _dataRoot = "";

    public async Task InitializeAsync()
    {
        _team = await TeamApp.StartAsync("uniad-tokens");
        (_app, _url, _dataRoot) = (_team.App, _team.Url, _team.DataRoot);
    }

    public async Task DisposeAsync() => await _team.DisposeAsync();

    private AccessTokens Tokens => _app.Services.GetRequiredService<AccessTokens>();

    private async Task<string> IdOfAsync(string userName)
    {
        await using var scope = _app.Services.CreateAsyncScope();
        return (await scope.ServiceProvider.GetRequiredService<UserManager<LabUser>>().FindByNameAsync(userName))!.Id;
    }

    private HttpClient ScriptWith(string token)
    {
        var http = new HttpClient { BaseAddress = new Uri(_url) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return http;
    }

    private static async Task<string> ProblemAsync(HttpResponseMessage answer) =>
        JsonDocument.Parse(await answer.Content.ReadAsStringAsync()).RootElement.GetProperty("detail").GetString()!;

    private static HttpContent EmptyRunRequest() => new StringContent("{}", System.Text.Encoding.UTF8, "application/json");

    [Fact]
    public async Task ATokenDoesWhatItsOwnerMayAndNoMore()
    {
        var ritaId = await IdOfAsync(Rita.Name);
        using var rita = ScriptWith(await Tokens.CreateAsync(ritaId, Rita, "nightly sweep", days: 30));
        using var vic = ScriptWith(await Tokens.CreateAsync(await IdOfAsync(Vic.Name), Vic, "dashboard", days: 30));

        Assert.Equal(HttpStatusCode.OK, (await vic.GetAsync("/api/runs")).StatusCode);
        var refused = await vic.PostAsync("/api/runs", EmptyRunRequest());
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Contains("vic is a viewer", await ProblemAsync(refused));
        var asked = await rita.PostAsync("/api/runs", EmptyRunRequest());           // allowed through, then refused for what it asks
        Assert.Equal(HttpStatusCode.BadRequest, asked.StatusCode);
        Assert.Contains("dataset", await ProblemAsync(asked));
        Assert.Equal(HttpStatusCode.Forbidden, (await rita.GetAsync("/api/audit")).StatusCode);
        var minted = await rita.PostAsync("/api/tokens", new StringContent("{\"name\": \"more\"}", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Forbidden, minted.StatusCode);                  // a leaked token cannot outlive its revocation
        Assert.Contains("a token cannot make tokens", await ProblemAsync(minted));
        Assert.Equal("dashboard", Assert.Single(JsonDocument.Parse(await vic.GetStringAsync("/api/tokens")).RootElement.EnumerateArray())
            .GetProperty("name").GetString());                                         // a viewer lists its own tokens, only its own

        await using (var scope = _app.Services.CreateAsyncScope())
            await scope.ServiceProvider.GetRequiredService<LabAccounts>().SetRoleAsync(Rita.Name, LabRole.Viewer, Root);
        Assert.Equal(HttpStatusCode.Forbidden, (await rita.PostAsync("/api/runs", EmptyRunRequest())).StatusCode);   // the owner's role now
    }

    [Fact]
    public async Task AResearchersTokenCannotCancelAnothersRunButTheAdminsCan()
    {
        int runId;
        await using (var db = await _app.Services.GetRequiredService<IDbContextFactory<LabDbContext>>().CreateDbContextAsync())
        {
            var dataset = new DatasetRecord { Name = "rows only", Version = new string('0', 64), Layout = "mvtec", Folder = "/nowhere", Source = "/srv/secret/mvtec" };
            var queued = new RunRecord { Name = "root's", Dataset = dataset, CreatedBy = Root.Name, Status = RunStatus.Queued, Request = new RunRequest { ConfigJson = "{}" } };
            db.Runs.Add(queued);
            await db.SaveChangesAsync();
            runId = queued.Id;
        }
        using var rita = ScriptWith(await Tokens.CreateAsync(await IdOfAsync(Rita.Name), Rita, "cancel check", days: 1));
        var refused = await rita.PostAsync($"/api/runs/{runId}/cancel", null);
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Contains($"run {runId} was made by root: a researcher may cancel only their own", await ProblemAsync(refused));
        var run = JsonDocument.Parse(await rita.GetStringAsync($"/api/runs/{runId}")).RootElement;
        Assert.Equal("Queued", run.GetProperty("status").GetString());

        using var root = ScriptWith(await Tokens.CreateAsync(await IdOfAsync(Root.Name), Root, "admin script", days: 1));
        Assert.Equal(HttpStatusCode.OK, (await root.PostAsync($"/api/runs/{runId}/cancel", null)).StatusCode);
        var seenByRita = await rita.GetStringAsync("/api/datasets");
        Assert.DoesNotContain("/srv/secret", seenByRita);                              // a server path is an admin's to see
        Assert.Contains("a server folder", seenByRita);
        Assert.Contains("/srv/secret/mvtec", await root.GetStringAsync("/api/datasets"));
    }

    [Fact]
    public async Task ARevokedOrExpiredTokenIsRefusedWithTheReason()
    {
        var vicId = await IdOfAsync(Vic.Name);
        string revoked = await Tokens.CreateAsync(vicId, Vic, "old laptop", days: 30), expired = await Tokens.CreateAsync(vicId, Vic, "ci", days: 1);
        var rows = await Tokens.ListAsync(vicId);
        await Tokens.RevokeAsync(vicId, Vic, rows.Single(t => t.Name == "old laptop").Id);
        await using (var db = await _app.Services.GetRequiredService<IDbContextFactory<LabDbContext>>().CreateDbContextAsync())
            await db.AccessTokens.Where(t => t.Name == "ci").ExecuteUpdateAsync(set => set.SetProperty(t => t.ExpiresAt, DateTime.UtcNow.AddMinutes(-1)));

        foreach (var (token, reason) in new[] { (revoked, "'old laptop' was revoked"), (expired, "'ci' expired"), ("uniad_made-up", "no such token") })
        {
            using var script = ScriptWith(token);
            var answer = await script.GetAsync("/api/runs");
            Assert.Equal(HttpStatusCode.Unauthorized, answer.StatusCode);
            Assert.Contains(reason, await ProblemAsync(answer));
        }
    }

    [Fact]
    public async Task TheDatabaseHoldsOnlyAHashAndTheAuditListSaysWhoMadeAndRevokedIt()
    {
        var ritaId = await IdOfAsync(Rita.Name);
        string secret = await Tokens.CreateAsync(ritaId, Rita, "hash check", days: 7);
        await Tokens.RevokeAsync(ritaId, Rita, (await Tokens.ListAsync(ritaId)).Single(t => t.Name == "hash check").Id);

        await using (var db = await _app.Services.GetRequiredService<IDbContextFactory<LabDbContext>>().CreateDbContextAsync())
        {
            var stored = await db.AccessTokens.SingleAsync(t => t.Name == "hash check");
            Assert.Equal(AccessTokens.Hash(secret), stored.SecretHash);
            Assert.DoesNotContain(secret, stored.SecretHash + stored.Prefix);
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        }
        foreach (var file in Directory.EnumerateFiles(_dataRoot, "lab.db*"))                  // the database, its WAL included
            Assert.DoesNotContain(secret, await ReadSharedAsync(file));

        using var admin = AccountForms.Client(_url);
        await AccountForms.SignInAsync(admin, Root.Name, Password);
        var audit = JsonDocument.Parse(await admin.GetStringAsync("/api/audit")).RootElement.GetProperty("entries").EnumerateArray()
            .Select(e => (e.GetProperty("actor").GetString(), e.GetProperty("action").GetString(), e.GetProperty("subject").GetString())).ToList();
        Assert.Contains(("rita", "token.created", "token 'hash check'"), audit);
        Assert.Contains(("rita", "token.revoked", "token 'hash check'"), audit);
        Assert.Contains(("root", "account.created", "account vic"), audit);
    }

    private static async Task<string> ReadSharedAsync(string file)
    {
        await using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var reader = new StreamReader(stream, System.Text.Encoding.Latin1);
        return await reader.ReadToEndAsync();
    }
}
