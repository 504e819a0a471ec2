using System.Reflection;

namespace UniAD.Lab.Runs;

/// <summary>The git commit the lab was built from, recorded with every run and worker. The SDK writes it into the
/// assembly at build time (its informational version, "1.0.0+commit"), so a published lab or worker knows it without
/// a git checkout beside it.</summary>
public static class CodeVersion
{
    public static string Current { get; } = Of(typeof(CodeVersion).Assembly);

    /// <summary>The commit in <paramref name="assembly"/>'s informational version; "unknown" for a build outside git.</summary>
    public static string Of(Assembly assembly)
    {
        var version = assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "";
        int plus = version.IndexOf('+');
        return plus >= 0 && plus < version.Length - 1 ? version[(plus + 1)..] : "unknown (built outside a git checkout)";
    }

    /// <summary>The first 12 characters, as pages show a commit.</summary>
    public static string Short(string version) => version.Length > 12 ? version[..12] : version;
}
