using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Npgsql;

namespace UniAD.Tests;

/// <summary>A PostgreSQL cluster of the test process's own, so that the tests need PostgreSQL installed and nothing
/// else: <c>initdb</c> in a temporary folder, listening on a free loopback port only, password authentication with a
/// password made here, run as the <c>postgres</c> OS user when the tests run as root (PostgreSQL refuses root), and
/// stopped when the process exits. A cluster left by a killed test process is stopped by the next one. Each test asks
/// for a database of its own (<see cref="CreateDatabase"/>).</summary>
public sealed class PostgresServer
{
    private const string FolderPrefix = "uniad-pg-", User = "postgres";
    private static readonly Lazy<PostgresServer> Instance = new(Start);

    /// <summary>The process's cluster, started on first use.</summary>
    public static PostgresServer Shared => Instance.Value;

    private readonly NpgsqlConnectionStringBuilder _admin;

    private PostgresServer(NpgsqlConnectionStringBuilder admin) => _admin = admin;

    /// <summary>The connection string of a new, empty database on this cluster.</summary>
    public string CreateDatabase(string prefix = "lab")
    {
        string name = $"{prefix}_{Guid.NewGuid():N}";
        Execute($"CREATE DATABASE \"{name}\"");
        return new NpgsqlConnectionStringBuilder(_admin.ConnectionString) { Database = name }.ConnectionString;
    }

    /// <summary>Drops the database of <paramref name="connectionString"/>, closing its connections first.</summary>
    public void DropDatabase(string connectionString)
    {
        NpgsqlConnection.ClearAllPools();
        Execute($"DROP DATABASE IF EXISTS \"{new NpgsqlConnectionStringBuilder(connectionString).Database}\" WITH (FORCE)");
    }

    private void Execute(string sql)
    {
        using var connection = new NpgsqlConnection(_admin.ConnectionString);
        connection.Open();
        using var command = new NpgsqlCommand(sql, connection);
        command.ExecuteNonQuery();
    }

    private static PostgresServer Start()
    {
        string bin = FindBinaries();
        foreach (var stale in TestScratch.LeftByEndedProcesses(FolderPrefix))
        {
            Run(bin, "pg_ctl", "stop", "-D", Path.Combine(stale, "data"), "-m", "immediate");   // fails harmlessly when it is not running
            TestScratch.TryDelete(stale);
        }
        string folder = Path.Combine(Path.GetTempPath(), $"{FolderPrefix}{Environment.ProcessId}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(folder);
        if (RunsAsRoot) Chown(folder);
        string password = Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
        string passwordFile = Path.Combine(folder, "password");
        File.WriteAllText(passwordFile, password);
        if (RunsAsRoot) Chown(passwordFile);
        Check(Run(bin, "initdb", "-D", Path.Combine(folder, "data"), "-U", User, "--pwfile", passwordFile, "--auth", "scram-sha-256",
            "--encoding", "UTF8", "--locale", "C", "--no-sync"), "initdb");
        File.Delete(passwordFile);
        int port = 0;
        for (int attempt = 1; port == 0; attempt++)
        {
            // A free port now may be taken by another test process before the server binds it: then another one.
            int candidate = FreeLoopbackPort();
            // Durability settings off: a test cluster is thrown away, and fsync is most of a migration's time.
            string settings = $"-h 127.0.0.1 -p {candidate} -k {folder} -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300";
            var started = Run(bin, "pg_ctl", "start", "-D", Path.Combine(folder, "data"), "-l", Path.Combine(folder, "server.log"), "-w", "-t", "60", "-o", settings);
            if (started.Code == 0) port = candidate;
            else if (attempt == 3) Check(started, "pg_ctl start");
        }
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            NpgsqlConnection.ClearAllPools();
            Run(bin, "pg_ctl", "stop", "-D", Path.Combine(folder, "data"), "-m", "immediate");
            TestScratch.TryDelete(folder);
        };
        var admin = new NpgsqlConnectionStringBuilder { Host = "127.0.0.1", Port = port, Username = User, Password = password, Database = "postgres" };
        return new PostgresServer(admin);
    }

    /// <summary>UNIAD_PG_BIN, else the newest /usr/lib/postgresql/N/bin (Debian's layout), else pg_config's.</summary>
    private static string FindBinaries()
    {
        if (Environment.GetEnvironmentVariable("UNIAD_PG_BIN") is { Length: > 0 } configured) return configured;
        var debian = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql").Select(v => Path.Combine(v, "bin")).Where(b => File.Exists(Path.Combine(b, "initdb")))
                .OrderByDescending(b => int.TryParse(Path.GetFileName(Path.GetDirectoryName(b)), out int v) ? v : 0).FirstOrDefault()
            : null;
        return debian ?? throw new InvalidOperationException(
            "the PostgreSQL tests start a server of their own and need its programs (initdb, pg_ctl): install PostgreSQL " +
            "(Debian: apt-get install postgresql) or set UNIAD_PG_BIN to the folder that holds them");
    }

    private static bool RunsAsRoot => Environment.UserName == "root";

    private static void Chown(string path) => Check(RunProgram("chown", User, path), "chown");

    private static (int Code, string Output) Run(string bin, string program, params string[] args) =>
        RunsAsRoot ? RunProgram("runuser", ["-u", User, "--", Path.Combine(bin, program), .. args]) : RunProgram(Path.Combine(bin, program), args);

    private static (int Code, string Output) RunProgram(string program, params string[] args)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Path.GetTempPath() };
        foreach (var arg in args) start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        string output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output + error.Result);
    }

    private static void Check((int Code, string Output) result, string what)
    {
        if (result.Code != 0) throw new InvalidOperationException($"{what} failed ({result.Code}): {result.Output}");
    }

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
