using System.Globalization;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using UniAD.Core.Configuration;
using UniAD.Lab.Migrations.Sqlite;
using UniAD.Lab.Persistence;
using UniAD.Lab.Studies;

namespace UniAD.Lab.Tests;

/// <summary>A lab at the schema before the run's parts, its own ablation column and the list columns (migration
/// ImportedRuns), holding a bit of everything: two datasets, a run of every status, an ablation run, an imported run, a
/// run on a folder of classes, tags, notes, warnings, history, results, test evaluations, resources, an ablation study and
/// a sweep. After the upgrade every value is there, compared field by field: each column of the old tables is read back
/// through the new model (and the test fails if the old schema has a column it does not read).</summary>
public sealed class UpgradeTests : IDisposable
{
    private const string TodaysSchema = "20261201111414_ImportedRuns";
    private readonly string _file = Path.Combine(TestScratch.NewFolder("uniad-upgrade"), "lab.db");
    private DbContextOptions<LabDbContext> Options => new DbContextOptionsBuilder<LabDbContext>()
        .UseSqlite($"Data Source={_file}", SqliteMigrations.Configure).Options;

    private static readonly string Config = Presets.QuickCpu.ToJson();

    private static Dictionary<string, object?> Dataset(int id, string name, string layout) => new()
    {
        ["Id"] = id, ["Name"] = name, ["Version"] = new string((char)('a' + id), 64), ["Layout"] = layout, ["Folder"] = $"/data/datasets/{name}",
        ["Categories"] = 2, ["TrainImages"] = 16, ["TestImages"] = 20, ["Bytes"] = 123_456_789_012L, ["Warnings"] = 1,
        ["CreatedAt"] = "2026-11-20 08:00:00.25", ["CreatedBy"] = "ana", ["Source"] = $"upload {name}.zip",
    };

    /// <summary>A run with a value in every column; each case changes what makes it that case.</summary>
    private static Dictionary<string, object?> Run(int id, string status, Action<Dictionary<string, object?>>? change = null)
    {
        var run = new Dictionary<string, object?>
        {
            ["Id"] = id, ["Name"] = $"run {id}", ["Group"] = "", ["DatasetId"] = 1, ["Categories"] = "", ["NormalClasses"] = "", ["Preset"] = "quick",
            ["ConfigJson"] = Config, ["Seed"] = id, ["Device"] = "cpu", ["Queue"] = "training", ["Status"] = status, ["CancelRequested"] = false,
            ["JobId"] = $"{id + 40}", ["CreatedAt"] = $"2026-11-2{id % 10} 09:30:0{id % 10}.5", ["CreatedBy"] = "ben", ["StartedAt"] = null,
            ["FinishedAt"] = null, ["Epoch"] = 0, ["TotalEpochs"] = 30, ["Step"] = 0, ["StepsPerEpoch"] = 0, ["Loss"] = null, ["LearningRate"] = null,
            ["ImagesPerSecond"] = null, ["RemainingSeconds"] = null, ["Error"] = null, ["Folder"] = $"/data/runs/{id}", ["ImageScore"] = "",
            ["MeanImageAuroc"] = null, ["MeanPixelAuroc"] = null, ["MeanAupro"] = null, ["Warnings"] = "", ["Tags"] = "", ["Notes"] = "",
            ["Archived"] = false, ["CodeVersion"] = "c2bdb8a", ["Environment"] = "", ["BestEpoch"] = null, ["BestImageAuroc"] = null,
            ["BestPixelAuroc"] = null, ["StudyId"] = null, ["Variant"] = "", ["WallSeconds"] = null, ["PeakMemoryBytes"] = null,
            ["PeakGpuMemoryBytes"] = null, ["ImportedFrom"] = null, ["ImportedSha256"] = null,
        };
        change?.Invoke(run);
        return run;
    }

    private static IReadOnlyList<Dictionary<string, object?>> Runs() =>
    [
        Run(1, "Queued"),
        Run(2, "Running", r =>
        {
            (r["Preset"], r["StudyId"], r["Variant"], r["Group"]) = ("quick no-jitter", 1, "no-jitter", "study 1: no-jitter");
            (r["StartedAt"], r["Epoch"], r["Step"], r["StepsPerEpoch"], r["Loss"], r["LearningRate"]) = ("2026-11-22 10:00:00", 3, 2, 5, 0.125, 1e-4);
            (r["ImagesPerSecond"], r["RemainingSeconds"], r["Environment"]) = (41.5, 600.25, "device cpu on lab-1; .NET 10.0.0");
        }),
        Run(3, "Finished", r =>
        {
            (r["Categories"], r["Tags"], r["Notes"], r["Warnings"], r["Archived"]) = ("fabric,nut", "baseline, cpu", "good, kept", "w1\nw2", true);
            (r["StartedAt"], r["FinishedAt"], r["Epoch"], r["TotalEpochs"]) = ("2026-11-23 10:00:00", "2026-11-23 11:00:00.125", 30, 30);
            (r["ImageScore"], r["MeanImageAuroc"], r["MeanPixelAuroc"], r["MeanAupro"]) = ("max of 8x8 average-pooled map", 0.9125, 0.875, 0.8);
            (r["BestEpoch"], r["BestImageAuroc"], r["BestPixelAuroc"]) = (20, 0.93, 0.88);
            (r["WallSeconds"], r["PeakMemoryBytes"], r["PeakGpuMemoryBytes"]) = (3599.5, 2_147_483_648_000L, 1_073_741_824L);
        }),
        Run(4, "Failed", r => (r["Error"], r["FinishedAt"]) = ("the disk is full: run 4 (error 0a1b2c3d; the run log has the details)", "2026-11-24 12:00:00")),
        Run(5, "Cancelled", r => (r["CancelRequested"], r["StudyId"], r["Variant"], r["Group"]) = (true, 1, "full", "study 1: full")),
        Run(6, "Finished", r =>
        {
            (r["Preset"], r["ImportedFrom"], r["ImportedSha256"]) = ("official import", "the official UniAD code: ckpt.pth.tar, epoch 1000", new string('5', 64));
            (r["Epoch"], r["TotalEpochs"], r["MeanImageAuroc"]) = (1000, 1000, 0.967);
        }),
        Run(7, "Queued", r => (r["DatasetId"], r["NormalClasses"], r["Preset"], r["StudyId"]) = (2, "0,1", "cifar-resnet18", 2)),
    ];

    private static IReadOnlyList<Dictionary<string, object?>> Studies() =>
    [
        new()
        {
            ["Id"] = 1, ["Name"] = "jitter", ["Kind"] = "Ablation", ["DatasetId"] = 1, ["Categories"] = "fabric,nut", ["NormalClasses"] = "", ["Preset"] = "quick",
            ["BaseConfigJson"] = Config, ["VariantsJson"] = """[{"Name":"full","Overrides":[]},{"Name":"no-jitter","Overrides":["model.feature_jitter.enabled=false"]}]""",
            ["Baseline"] = "full", ["Seeds"] = "1,2", ["SweepAxesJson"] = "", ["Device"] = "cpu", ["Queue"] = "training",
            ["CreatedAt"] = "2026-11-21 07:00:00", ["CreatedBy"] = "ana",
        },
        new()
        {
            ["Id"] = 2, ["Name"] = "sweep", ["Kind"] = "Sweep", ["DatasetId"] = 2, ["Categories"] = "", ["NormalClasses"] = "0, 1", ["Preset"] = "cifar-resnet18",
            ["BaseConfigJson"] = Config, ["VariantsJson"] = """[{"Name":"model.feature_jitter.scale=5","Overrides":["model.feature_jitter.scale=5"]}]""",
            ["Baseline"] = "model.feature_jitter.scale=5", ["Seeds"] = "7", ["SweepAxesJson"] = """[{"Key":"model.feature_jitter.scale","Values":["5"]}]""",
            ["Device"] = "auto", ["Queue"] = "training", ["CreatedAt"] = "2026-11-21 07:30:00", ["CreatedBy"] = "ana",
        },
    ];

    /// <summary>Tables the upgrade does not touch: every row comes back exactly.</summary>
    private static readonly (string Table, Dictionary<string, object?>[] Rows)[] Children =
    [
        ("Epochs", [new() { ["Id"] = 1, ["RunId"] = 3, ["Epoch"] = 1, ["Loss"] = 0.5, ["LearningRate"] = 1e-4, ["Seconds"] = 12.25 }]),
        ("CategoryResults", [new()
        {
            ["Id"] = 1, ["RunId"] = 3, ["Category"] = "fabric", ["IsMean"] = false, ["TestImages"] = 10, ["AnomalousImages"] = 6, ["ImageAuroc"] = 0.9,
            ["ImageAp"] = 0.8, ["ImageF1Max"] = 0.7, ["PixelAuroc"] = 0.85, ["PixelAp"] = 0.4, ["PixelF1Max"] = 0.45, ["Aupro"] = 0.75,
        }]),
        ("TestEvaluations", [new() { ["Id"] = 1, ["RunId"] = 3, ["Epoch"] = 10, ["Category"] = "(mean)", ["IsMean"] = true, ["ImageAuroc"] = 0.9, ["PixelAuroc"] = 0.8, ["PassThrough"] = 0.125 }]),
        ("ResourceSamples", [new() { ["Id"] = 1, ["RunId"] = 3, ["Seconds"] = 5.0, ["CpuPercent"] = 180.5, ["MemoryBytes"] = 1_000_000L, ["GpuUtilizationPercent"] = null, ["GpuMemoryBytes"] = null }]),
    ];

    /// <summary>Each old column of a run, read through the new model in the old column's own terms.</summary>
    private static readonly Dictionary<string, Func<RunRecord, object?>> RunColumns = new()
    {
        ["Id"] = r => r.Id, ["Name"] = r => r.Name, ["Group"] = r => r.Group, ["DatasetId"] = r => r.DatasetId,
        ["Categories"] = r => string.Join(",", r.Request.Categories), ["NormalClasses"] = r => string.Join(",", r.Request.NormalClasses),
        ["Preset"] = r => r.Request.Ablation == Presets.FullModel ? r.Request.Preset : $"{r.Request.Preset} {r.Request.Ablation}",
        ["ConfigJson"] = r => r.Request.ConfigJson, ["Seed"] = r => r.Request.Seed, ["Device"] = r => r.Request.Device, ["Queue"] = r => r.Request.Queue,
        ["Status"] = r => r.Status.ToString(), ["CancelRequested"] = r => r.CancelRequested, ["JobId"] = r => r.JobId, ["CreatedAt"] = r => r.CreatedAt,
        ["CreatedBy"] = r => r.CreatedBy, ["StartedAt"] = r => r.StartedAt, ["FinishedAt"] = r => r.FinishedAt, ["Epoch"] = r => r.Progress.Epoch,
        ["TotalEpochs"] = r => r.Progress.TotalEpochs, ["Step"] = r => r.Progress.Step, ["StepsPerEpoch"] = r => r.Progress.StepsPerEpoch,
        ["Loss"] = r => r.Progress.Loss, ["LearningRate"] = r => r.Progress.LearningRate, ["ImagesPerSecond"] = r => r.Progress.ImagesPerSecond,
        ["RemainingSeconds"] = r => r.Progress.RemainingSeconds, ["Error"] = r => r.Error, ["Folder"] = r => r.Folder,
        ["ImageScore"] = r => r.Summary.ImageScore, ["MeanImageAuroc"] = r => r.Summary.MeanImageAuroc, ["MeanPixelAuroc"] = r => r.Summary.MeanPixelAuroc,
        ["MeanAupro"] = r => r.Summary.MeanAupro, ["Warnings"] = r => string.Join("\n", r.Summary.Warnings), ["Tags"] = r => string.Join(", ", r.Tags),
        ["Notes"] = r => r.Notes, ["Archived"] = r => r.Archived, ["CodeVersion"] = r => r.Provenance.CodeVersion, ["Environment"] = r => r.Provenance.Environment,
        ["BestEpoch"] = r => r.BestOnTest.Epoch, ["BestImageAuroc"] = r => r.BestOnTest.ImageAuroc, ["BestPixelAuroc"] = r => r.BestOnTest.PixelAuroc,
        ["StudyId"] = r => r.StudyId, ["Variant"] = r => r.Variant, ["WallSeconds"] = r => r.Cost.WallSeconds, ["PeakMemoryBytes"] = r => r.Cost.PeakMemoryBytes,
        ["PeakGpuMemoryBytes"] = r => r.Cost.PeakGpuMemoryBytes, ["ImportedFrom"] = r => r.Provenance.ImportedFrom,
        ["ImportedSha256"] = r => r.Provenance.ImportedSha256,
    };

    private static readonly Dictionary<string, Func<StudyRecord, object?>> StudyColumns = new()
    {
        ["Id"] = s => s.Id, ["Name"] = s => s.Name, ["Kind"] = s => s.Kind.ToString(), ["DatasetId"] = s => s.DatasetId,
        ["Categories"] = s => string.Join(",", s.Categories), ["NormalClasses"] = s => string.Join(", ", s.NormalClasses), ["Preset"] = s => s.Preset,
        ["BaseConfigJson"] = s => s.BaseConfigJson, ["VariantsJson"] = s => JsonSerializer.Serialize(s.Variants), ["Baseline"] = s => s.Baseline,
        ["Seeds"] = s => string.Join(",", s.Seeds), ["SweepAxesJson"] = s => s.SweepAxes.Count == 0 ? "" : JsonSerializer.Serialize(s.SweepAxes),
        ["Device"] = s => s.Device, ["Queue"] = s => s.Queue, ["CreatedAt"] = s => s.CreatedAt, ["CreatedBy"] = s => s.CreatedBy,
    };

    private static readonly Dictionary<string, Func<DatasetRecord, object?>> DatasetColumns = new()
    {
        ["Id"] = d => d.Id, ["Name"] = d => d.Name, ["Version"] = d => d.Version, ["Layout"] = d => d.Layout, ["Folder"] = d => d.Folder,
        ["Categories"] = d => d.Categories, ["TrainImages"] = d => d.TrainImages, ["TestImages"] = d => d.TestImages, ["Bytes"] = d => d.Bytes,
        ["Warnings"] = d => d.Warnings, ["CreatedAt"] = d => d.CreatedAt, ["CreatedBy"] = d => d.CreatedBy, ["Source"] = d => d.Source,
    };

    private static IReadOnlyList<Dictionary<string, object?>> Datasets() => [Dataset(1, "mvtec-like", "mvtec"), Dataset(2, "cifar-like", "class-folder")];

    /// <summary>The database at today's schema with every row above in it.</summary>
    private void SeedTodaysLab()
    {
        using var old = new LabDbContext(Options);
        old.GetService<IMigrator>().Migrate(TodaysSchema);
        using var connection = new SqliteConnection($"Data Source={_file}");
        connection.Open();
        foreach (var dataset in Datasets()) Insert(connection, "Datasets", dataset);
        foreach (var study in Studies()) Insert(connection, "Studies", study);
        foreach (var run in Runs()) Insert(connection, "Runs", run);
        foreach (var (table, rows) in Children) foreach (var row in rows) Insert(connection, table, row);
        // Every column of today's tables is in the rows above, so each is read back after the upgrade.
        Assert.Equal(Columns(connection, "Runs").Order(), RunColumns.Keys.Order());
        Assert.Equal(Columns(connection, "Studies").Order(), StudyColumns.Keys.Order());
        Assert.Equal(Columns(connection, "Datasets").Order(), DatasetColumns.Keys.Order());
        foreach (var (table, rows) in Children) Assert.Equal(Columns(connection, table).Order(), rows[0].Keys.Order());
    }

    [Fact]
    public async Task TodaysLabUpgradesWithEveryValueKept()
    {
        SeedTodaysLab();

        using var upgraded = new LabDbContext(Options);
        Assert.NotNull(await LabInitializer.BackUpBeforeMigratingAsync(upgraded));
        upgraded.Database.Migrate();
        Assert.Empty(upgraded.Database.GetPendingMigrations());

        var runs = upgraded.Runs.AsNoTracking().OrderBy(r => r.Id).ToList();
        AssertEveryValue(Runs(), runs, RunColumns);
        AssertEveryValue(Studies(), [.. upgraded.Studies.AsNoTracking().OrderBy(s => s.Id)], StudyColumns);
        AssertEveryValue(Datasets(), [.. upgraded.Datasets.AsNoTracking().OrderBy(d => d.Id)], DatasetColumns);
        // What the upgrade made of the joined text, as the code now reads it.
        Assert.Equal(("quick", "no-jitter"), (runs[1].Request.Preset, runs[1].Request.Ablation));
        Assert.Equal(("official import", Presets.FullModel), (runs[5].Request.Preset, runs[5].Request.Ablation));
        Assert.Equal(["fabric", "nut"], runs[2].Request.Categories);
        Assert.Equal(["baseline", "cpu"], runs[2].Tags);
        Assert.Equal(["w1", "w2"], runs[2].Summary.Warnings);
        Assert.Equal(["0", "1"], runs[6].Request.NormalClasses);
        Assert.Equal("good, kept", runs[2].Notes);                               // notes are text, commas and all
        var sweep = upgraded.Studies.AsNoTracking().Single(s => s.Id == 2);
        Assert.Equal([7], sweep.Seeds);
        Assert.Equal(["0", "1"], sweep.NormalClasses);
        Assert.Equal("model.feature_jitter.scale", Assert.Single(sweep.SweepAxes).Key);
        Assert.All(runs, r => Assert.Equal(DateTimeKind.Utc, r.CreatedAt.Kind));
        Assert.Equal(DateTimeKind.Utc, runs[2].FinishedAt!.Value.Kind);

        using var connection2 = new SqliteConnection($"Data Source={_file}");
        connection2.Open();
        foreach (var (table, rows) in Children)
            Assert.Equal(rows.Select(Normalised), Rows(connection2, table).Select(Normalised));
        SqliteConnection.ClearAllPools();
    }

    [Fact]
    public void TheUpgradeGoesBackDownToTodaysSchemaWithTheSameText()
    {
        SeedTodaysLab();
        using (var db = new LabDbContext(Options))
        {
            db.Database.Migrate();
            db.GetService<IMigrator>().Migrate(TodaysSchema);
        }
        using var back = new SqliteConnection($"Data Source={_file}");
        back.Open();
        var runs = Rows(back, "Runs");
        foreach (var column in new[] { "Preset", "Categories", "NormalClasses", "Tags", "Warnings" })
            Assert.Equal(Runs().Select(r => r[column]), runs.Select(r => r[column]));
        var studies = Rows(back, "Studies");
        foreach (var column in new[] { "Categories", "Seeds", "SweepAxesJson" })
            Assert.Equal(Studies().Select(s => s[column]), studies.Select(s => s[column]));
        SqliteConnection.ClearAllPools();
    }

    private static void AssertEveryValue<T>(IReadOnlyList<Dictionary<string, object?>> inserted, IReadOnlyList<T> read, Dictionary<string, Func<T, object?>> columns)
    {
        Assert.Equal(inserted.Count, read.Count);
        for (int i = 0; i < inserted.Count; i++)
            foreach (var (column, value) in inserted[i])
                Assert.True(Equal(value, columns[column](read[i])), $"row {i + 1}, {column}: stored {value ?? "null"}, read {columns[column](read[i]) ?? "null"}");
    }

    /// <summary>A stored value and the model's: times as instants (stored in UTC), JSON lists by content, the rest as they are.</summary>
    private static bool Equal(object? stored, object? read) => (stored, read) switch
    {
        (string text, DateTime time) => time.Kind == DateTimeKind.Utc
            && DateTime.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal) == time,
        (string text, string json) when text.StartsWith('[') => JsonSerializer.Serialize(JsonSerializer.Deserialize<List<StudyVariant>>(text)) == json
                                                                || JsonSerializer.Serialize(JsonSerializer.Deserialize<List<SweepAxis>>(text)) == json,
        (int a, int b) => a == b,
        (int a, long b) => a == b,
        (long a, long b) => a == b,
        _ => Equals(stored, read),
    };

    private static void Insert(SqliteConnection connection, string table, Dictionary<string, object?> row)
    {
        using var insert = connection.CreateCommand();
        insert.CommandText = $"INSERT INTO \"{table}\" ({string.Join(", ", row.Keys.Select(k => $"\"{k}\""))}) " +
                             $"VALUES ({string.Join(", ", row.Keys.Select((_, i) => $"$p{i}"))})";
        foreach (var (value, i) in row.Values.Select((v, i) => (v, i))) insert.Parameters.AddWithValue($"$p{i}", value ?? DBNull.Value);
        insert.ExecuteNonQuery();
    }

    private static List<string> Columns(SqliteConnection connection, string table) => [.. Rows(connection, $"pragma_table_info('{table}')").Select(c => (string)c["name"]!)];

    private static List<Dictionary<string, object?>> Rows(SqliteConnection connection, string source)
    {
        using var select = connection.CreateCommand();
        select.CommandText = $"SELECT * FROM {(source.StartsWith("pragma") ? source : $"\"{source}\"")} ORDER BY 1";
        using var reader = select.ExecuteReader();
        var rows = new List<Dictionary<string, object?>>();
        while (reader.Read())
            rows.Add(Enumerable.Range(0, reader.FieldCount).ToDictionary(reader.GetName, i => reader.IsDBNull(i) ? null : reader.GetValue(i)));
        return rows;
    }

    /// <summary>A row as text with its columns in order, values as SQLite gives them back (integers as long, booleans as 0/1).</summary>
    private static string Normalised(Dictionary<string, object?> row) => string.Join("|", row.OrderBy(c => c.Key, StringComparer.Ordinal)
        .Select(c => $"{c.Key}={c.Value switch { bool b => b ? "1" : "0", IFormattable f => f.ToString(null, CultureInfo.InvariantCulture), var v => v }}"));

    public void Dispose() => SqliteConnection.ClearAllPools();
}
