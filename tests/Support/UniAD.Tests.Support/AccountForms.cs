using System.Net;
using System.Text.RegularExpressions;

namespace UniAD.Tests;

/// <summary>The lab's account pages as a browser without scripts uses them: a form is read from its page (for the
/// antiforgery token it carries) and posted back with its fields. The client keeps cookies and does not follow redirects,
/// so a test sees where the lab sends it.</summary>
public static partial class AccountForms
{
    public static HttpClient Client(string baseAddress) =>
        new(new HttpClientHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false }) { BaseAddress = new Uri(baseAddress) };

    /// <param name="form">The form's name (its <c>_handler</c>).</param>
    public static async Task<HttpResponseMessage> PostAsync(HttpClient http, string page, string form, IReadOnlyDictionary<string, string> fields)
    {
        var html = await http.GetStringAsync(page);
        var token = Token().Match(html) is { Success: true } found ? found.Groups[1].Value : throw new InvalidOperationException($"{page} has no antiforgery token");
        var body = new Dictionary<string, string>(fields) { ["__RequestVerificationToken"] = token, ["_handler"] = form };
        return await http.PostAsync(page, new FormUrlEncodedContent(body));
    }

    /// <summary>Signs in on the login page; the lab answers a redirect when it took the password.</summary>
    public static async Task SignInAsync(HttpClient http, string userName, string password)
    {
        var answer = await PostAsync(http, "/account/login", "login", new Dictionary<string, string> { ["Input.UserName"] = userName, ["Input.Password"] = password });
        if (answer.StatusCode != HttpStatusCode.Redirect)
            throw new InvalidOperationException($"{userName} could not sign in ({(int)answer.StatusCode}): {await answer.Content.ReadAsStringAsync()}");
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex Token();
}
