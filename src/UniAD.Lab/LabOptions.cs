namespace UniAD.Lab;

/// <summary>The lab's settings (section <c>Lab</c> of <c>appsettings.json</c>; every key can be overridden by an
/// environment variable such as <c>Lab__DataRoot</c>).</summary>
public sealed class LabOptions
{
    public const string Section = "Lab";

    /// <summary>Everything the lab writes lives here: database, job storage, datasets, runs, feature cache, uploads.</summary>
    public string DataRoot { get; set; } = "data";
    public DatabaseOptions Database { get; set; } = new();
    /// <summary>Hangfire's own SQLite file, kept apart from the lab's tables ({DataRoot} is replaced).</summary>
    public string HangfireDatabase { get; set; } = "{DataRoot}/hangfire.db";
    /// <summary>This process's job workers per queue. The lab trains one run at a time (<c>training=1</c>, the default);
    /// <c>training=0</c> leaves training to worker processes (src/UniAD.Lab.Worker), which also train on several GPUs.</summary>
    public Dictionary<string, int> Workers { get; set; } = new() { [Queues.Default] = 2 };
    /// <summary>What a training worker process does (<c>Lab:Worker</c>): its queues, how often it says it is alive.</summary>
    public WorkerOptions Worker { get; set; } = new();
    /// <summary>auto (CUDA when available), cpu, cuda or cuda:N.</summary>
    public string Device { get; set; } = "auto";
    public long MaxUploadBytes { get; set; } = 20L << 30;
    /// <summary>How often a training run's CPU, memory and GPU use is sampled.</summary>
    public double ResourceSampleSeconds { get; set; } = 5;

    public LabLimits Limits { get; set; } = new();
    public AuthOptions Auth { get; set; } = new();

    /// <summary>Server folders a dataset may be imported from, besides <see cref="ImportsFolder"/>: the server never walks
    /// and copies a folder a user merely names.</summary>
    public List<string> ImportRoots { get; set; } = [];

    public string DatasetsFolder => Path.Combine(DataRoot, "datasets");
    /// <summary>Always an import root: copy a dataset here on the server to import it by folder.</summary>
    public string ImportsFolder => Path.Combine(DataRoot, "imports");
    public string RunsFolder => Path.Combine(DataRoot, "runs");
    public string UploadsFolder => Path.Combine(DataRoot, "uploads");
    public string FeatureCacheFolder => Path.Combine(DataRoot, "feature-cache");
    /// <summary>Backbone weights files the lab keeps for new runs (e.g. the EfficientNet-B4 of an imported official checkpoint).</summary>
    public string WeightsFolder => Path.Combine(DataRoot, "weights");

    public string Expand(string value) => value.Replace("{DataRoot}", DataRoot);
}

/// <summary>Which database holds the lab's tables (<c>Lab:Database</c>). SQLite, a file under the data root, is the
/// embedded default for one machine; PostgreSQL is for a team whose labs and workers on several machines share one
/// database (README, "Team deployment").</summary>
public sealed class DatabaseOptions
{
    /// <summary><c>Sqlite</c> or <c>Postgres</c>, in any case.</summary>
    public string Provider { get; set; } = nameof(DatabaseProvider.Sqlite);
    /// <summary>For SQLite a file ({DataRoot} is replaced); for PostgreSQL an Npgsql connection string, e.g.
    /// <c>Host=db.lan;Database=uniad;Username=uniad;Password=...</c> (best from the environment variable
    /// <c>Lab__Database__ConnectionString</c>, so the password is in no file).</summary>
    public string ConnectionString { get; set; } = "Data Source={DataRoot}/lab.db";

    public DatabaseProvider Kind => Enum.TryParse<DatabaseProvider>(Provider, ignoreCase: true, out var kind) && Enum.IsDefined(kind)
        ? kind
        : throw new InvalidOperationException($"Lab:Database:Provider is '{Provider}'; it must be {string.Join(" or ", Enum.GetNames<DatabaseProvider>())}");
}

public enum DatabaseProvider { Sqlite, Postgres }

/// <summary>Training workers (<c>Lab:Worker</c>; README, "Team deployment").</summary>
public sealed class WorkerOptions
{
    /// <summary>The queues a worker process (src/UniAD.Lab.Worker) trains runs from, e.g. <c>h200</c>; none named is
    /// <c>training</c>. (Empty by default: configuration adds to a list rather than replacing it.)</summary>
    public List<string> Queues { get; set; } = [];
    public IReadOnlyList<string> ServedQueues => Queues.Count > 0 ? Queues : [UniAD.Lab.Queues.Training];
    /// <summary>How often every process that trains writes its heartbeat to the database.</summary>
    public double HeartbeatSeconds { get; set; } = 10;
    /// <summary>A worker silent this long is taken for dead: the Workers page says so, and a run it was training is
    /// marked interrupted at the next look (every <see cref="HeartbeatSeconds"/>, by every lab and worker), so within
    /// DeadAfterSeconds + HeartbeatSeconds of its last heartbeat.</summary>
    public double DeadAfterSeconds { get; set; } = 60;
    /// <summary>An interrupted run is queued again at once, for the next free worker to continue from its last whole
    /// checkpoint; off, it waits for a user's resume.</summary>
    public bool ResumeInterrupted { get; set; }
    /// <summary>A worker that cannot honour a run (a config key its code does not know, a device it lacks) holds it this
    /// long before passing it on, so that it does not take it straight back while the workers that can are busy.</summary>
    public double RetryRefusedSeconds { get; set; } = 60;
    /// <summary>How many processes a worker starts, each training one run at a time (TorchSharp's random generator is
    /// process-wide: two trainings in one process would share one stream and neither would be reproducible). Absent: one
    /// per GPU it sees, each seeing its GPU alone (CUDA_VISIBLE_DEVICES), or on a CPU one, which is the worker itself.</summary>
    public int? Processes { get; set; }
    /// <summary>Set by a worker on the processes it starts: each stops (handing its run back) once that process is gone.</summary>
    public int? ParentProcessId { get; set; }
}

/// <summary>Who may use the lab (<c>Lab:Auth</c>; README, "Team lab").</summary>
public sealed class AuthOptions
{
    /// <summary><see cref="AuthMode.Auto"/>: laptop mode while the lab listens on loopback only, accounts otherwise.</summary>
    public AuthMode Mode { get; set; } = AuthMode.Auto;
    /// <summary>Makes the first admin at start on a lab with no account, for unattended installs (e.g. the environment
    /// variables <c>Lab__Auth__FirstAdmin__UserName</c> and <c>Lab__Auth__FirstAdmin__Password</c>); ignored once the
    /// lab has an account.</summary>
    public FirstAdminOptions FirstAdmin { get; set; } = new();
    /// <summary>Failed logins in a row before an account is locked out for <see cref="LockoutMinutes"/>.</summary>
    public int MaxFailedLogins { get; set; } = 5;
    public double LockoutMinutes { get; set; } = 15;
    /// <summary>A password's least length. Length is the rule (no required character classes), as NIST SP 800-63B advises.</summary>
    public int MinPasswordLength { get; set; } = 12;
}

public enum AuthMode
{
    /// <summary>Laptop mode on loopback, accounts on any other address.</summary>
    Auto,
    /// <summary>Laptop mode: no accounts, everyone who reaches the port is the lab's one user. Loopback only.</summary>
    None,
    /// <summary>Accounts and roles on every page and endpoint.</summary>
    Accounts,
}

public sealed class FirstAdminOptions
{
    public string UserName { get; set; } = "";
    public string Password { get; set; } = "";
}

/// <summary>Bounds on what one request may ask (<c>Lab:Limits</c>); a request over one is refused with a message that
/// names the limit and its setting.</summary>
public sealed class LabLimits
{
    /// <summary>Runs one request may queue (seeds, or variants × seeds), from any front end.</summary>
    public int RunsPerRequest { get; set; } = 500;
    /// <summary>Runs one bulk cancel may name by id; a group or a study is not bounded.</summary>
    public int RunsPerBulkAction { get; set; } = 10_000;
    /// <summary>Characters in the name a user gives a run or a study (a study's and a group's runs add their variant and
    /// seed to it). Dataset names have the store's own rule.</summary>
    public int NameLength { get; set; } = 200;
    /// <summary>Characters in a run's tags, all together.</summary>
    public int TagsLength { get; set; } = 1_000;
    /// <summary>Characters in a run's notes.</summary>
    public int NotesLength { get; set; } = 20_000;
    /// <summary>Rows one page of a list may hold (the API's pageSize).</summary>
    public int PageSize { get; set; } = 1_000;

    /// <summary>The line that refuses <paramref name="text"/> for being longer than <paramref name="limit"/>, or null.</summary>
    public static string? TooLong(string what, string text, int limit, string setting) =>
        text.Length <= limit ? null : $"{what}: {text.Length:N0} characters, over the limit of {limit:N0} (Lab:Limits:{setting})";

    /// <summary>The line that refuses a request for <paramref name="runs"/> runs, over <see cref="RunsPerRequest"/>.</summary>
    public string TooManyRuns(long runs, string counted) =>
        $"{runs} runs ({counted}); a request queues at most {RunsPerRequest} (Lab:Limits:{nameof(RunsPerRequest)})";
}

public static class Queues
{
    public const string Training = "training", Default = "default";
}
