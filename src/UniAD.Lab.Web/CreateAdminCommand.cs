using UniAD.Core;
using UniAD.Lab.Accounts;

namespace UniAD.Lab.Web;

/// <summary><c>UniAD.Lab.Web create-admin USER_NAME</c>, the password on standard input: makes the first admin of a lab
/// with no account, for unattended installs, with the lab's own settings (so the same database) and without starting
/// it. Exit code 0 when made, 1 when refused (the lab has accounts, a password too short), 2 for a wrong command line.</summary>
public static class CreateAdminCommand
{
    public const string Name = "create-admin";

    public static async Task<int> RunAsync(WebApplication app, string[] args)
    {
        if (args.Length != 2 || args[1].StartsWith('-'))
        {
            await Console.Error.WriteLineAsync($"usage: {Name} USER_NAME   (the password on standard input, e.g. from a secrets file)");
            return 2;
        }
        var password = (await Console.In.ReadLineAsync() ?? "").TrimEnd('\r');
        await app.Services.GetRequiredService<LabInitializer>().InitializeAsync();     // the schema, as the lab makes it at start
        await using var scope = app.Services.CreateAsyncScope();
        try
        {
            await scope.ServiceProvider.GetRequiredService<LabAccounts>().CreateFirstAdminAsync(args[1], password);
        }
        catch (UserException e)
        {
            await Console.Error.WriteLineAsync($"uniad lab: {UserErrors.OneLine(e)}");
            return 1;
        }
        Console.WriteLine($"Made the first admin, {args[1].Trim()}; start the lab and sign in.");
        return 0;
    }
}
