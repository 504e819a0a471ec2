using System.Diagnostics;
using System.Globalization;
using Microsoft.EntityFrameworkCore;
using UniAD.Core.Configuration;
using UniAD.Lab;
using UniAD.Lab.Compare;
using UniAD.Lab.Migrations.Postgres;
using UniAD.Lab.Migrations.Sqlite;
using UniAD.Lab.Persistence;
using UniAD.Lab.Runs;

// dotnet run -c Release --project benchmarks/LabQueries -- seed DATA_ROOT [runs=10000]
//   a lab database with that many finished runs: 15 categories each, a short history, and 20 of them (ids 1-20) with
//   the paper's 1000-epoch history and a test evaluation every 10 epochs, for the compare view.
// dotnet run -c Release --project benchmarks/LabQueries -- measure DATA_ROOT [repeats=20]
//   the runs grid's page query and the compare view's build (20 runs × 15 categories with curves, every metric's matrix).
// The database is DATA_ROOT/lab.db, or the lab's PostgreSQL settings when Lab__Database__Provider=Postgres and
// Lab__Database__ConnectionString are in the environment, as the lab itself reads them.
if (args.Length < 2 || args[0] is not ("seed" or "measure")) { Console.Error.WriteLine("usage: seed|measure DATA_ROOT [count]"); return 2; }
string root = Path.GetFullPath(args[1]);
Directory.CreateDirectory(root);
var builder = new DbContextOptionsBuilder<LabDbContext>();
if (string.Equals(Environment.GetEnvironmentVariable("Lab__Database__Provider"), nameof(DatabaseProvider.Postgres), StringComparison.OrdinalIgnoreCase))
    builder.UseNpgsql(Environment.GetEnvironmentVariable("Lab__Database__ConnectionString"), PostgresMigrations.Configure);
else builder.UseSqlite($"Data Source={Path.Combine(root, "lab.db")}", SqliteMigrations.Configure);
var options = builder.Options;
var databases = new Factory(options);
int count = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : args[0] == "seed" ? 10_000 : 20;

if (args[0] == "seed") Seed(databases, count);
else await MeasureAsync(databases, count);
return 0;

static void Seed(Factory databases, int runs)
{
    var clock = Stopwatch.StartNew();
    using (var db = databases.CreateDbContext())
    {
        db.Database.Migrate();
        if (db.Database.IsSqlite()) db.Database.ExecuteSqlRaw("PRAGMA journal_mode=WAL;");
        if (db.Runs.Any()) throw new InvalidOperationException("the database already has runs; seed an empty data root");
        db.Datasets.Add(new DatasetRecord { Name = "mvtec-like", Version = new string('a', 64), Layout = "mvtec", Folder = "/nowhere", Categories = 15 });
        db.SaveChanges();
    }
    string[] categories = ["bottle", "cable", "capsule", "carpet", "grid", "hazelnut", "leather", "metal_nut", "pill", "screw", "tile", "toothbrush", "transistor", "wood", "zipper"];
    var random = new Random(7);
    string[] configs = [Presets.QuickCpu.ToJson(), Presets.Vanilla(Presets.QuickCpu).ToJson(), Presets.ResNet18.ToJson()];
    for (int start = 0; start < runs; start += 500)
    {
        using var db = databases.CreateDbContext();
        db.ChangeTracker.AutoDetectChangesEnabled = false;
        for (int i = start; i < Math.Min(runs, start + 500); i++)
        {
            bool curves = i < 20;
            var results = categories.Select(c => new CategoryResult
            {
                Category = c, TestImages = 100, AnomalousImages = 70, ImageAuroc = 0.8 + 0.2 * random.NextDouble(), PixelAuroc = 0.85 + 0.15 * random.NextDouble(),
                Aupro = 0.7 + 0.3 * random.NextDouble(), ImageAp = random.NextDouble(), PixelAp = random.NextDouble(), ImageF1Max = random.NextDouble(), PixelF1Max = random.NextDouble(),
            }).ToList();
            results.Add(new CategoryResult { Category = CategoryResult.MeanRow, IsMean = true, ImageAuroc = results.Average(r => r.ImageAuroc), PixelAuroc = results.Average(r => r.PixelAuroc) });
            int epochs = curves ? 1000 : 30;
            db.Runs.Add(new RunRecord
            {
                Name = $"run {i + 1}", DatasetId = 1, Group = $"group {i / 5}", Status = RunStatus.Finished, CreatedAt = DateTime.UtcNow,
                Request = new RunRequest { Seed = i % 5, Preset = "quick", ConfigJson = configs[i % configs.Length] },
                Progress = new RunProgress { TotalEpochs = epochs, Epoch = epochs, ImagesPerSecond = 100 + random.NextDouble() },
                Summary = new RunSummary { ImageScore = "max of 8x8 average-pooled map", MeanImageAuroc = results[^1].ImageAuroc, MeanPixelAuroc = results[^1].PixelAuroc },
                Cost = new RunCost { WallSeconds = 3600 },
                Results = results,
                History = [.. Enumerable.Range(1, epochs).Select(e => new EpochRecord { Epoch = e, Loss = 1.0 / e, LearningRate = 1e-4, Seconds = 3 })],
                Evaluations = [.. Enumerable.Range(1, epochs / 10).SelectMany(k => categories.Append(CategoryResult.MeanRow).Select(c => new TestEvaluationRecord
                {
                    Epoch = 10 * k, Category = c, IsMean = c == CategoryResult.MeanRow, ImageAuroc = random.NextDouble(), PixelAuroc = random.NextDouble(),
                    PassThrough = c == CategoryResult.MeanRow ? random.NextDouble() : null,
                }))],
            });
        }
        db.SaveChanges();
    }
    Console.WriteLine(FormattableString.Invariant($"seeded {runs:N0} runs (15 categories each; runs 1-20 with 1000 epochs and 100 test evaluations) in {clock.Elapsed.TotalSeconds:F1} s"));
}

static async Task MeasureAsync(Factory databases, int repeats)
{
    var queries = new RunQueries(databases, Microsoft.Extensions.Options.Options.Create(new LabOptions()));
    var compare = new CompareQueries(databases);
    int total = (await queries.PageAsync(new RunPageRequest(0, 1))).Total;
    var selection = CompareSelection.Parse(string.Join(',', Enumerable.Range(1, 20)), null);
    await Time($"runs grid, first page of 50 of {total:N0} runs, newest first", repeats, () => queries.PageAsync(new RunPageRequest(0, 50)));
    await Time($"runs grid, page 100 of 50, sorted by image AUROC", repeats, () => queries.PageAsync(new RunPageRequest(100, 50, nameof(RunRow.MeanImageAuroc))));
    await Time($"runs grid, search 'run 99', first page", repeats, () => queries.PageAsync(new RunPageRequest(0, 50, Search: "run 99")));
    await Time("compare view, 20 runs × 15 categories with curves, all 7 metrics' matrices", repeats, async () =>
    {
        var comparison = await compare.BuildAsync(selection);
        foreach (var metric in Enum.GetValues<Metric>()) comparison.Matrix(metric, baseline: 0);
        return comparison;
    });
    await Time("compare view, 4 groups of 5 runs with curves, all 7 metrics' matrices", repeats, async () =>
    {
        var comparison = await compare.BuildAsync(CompareSelection.Parse(null, "1,2,3,4,5;6,7,8,9,10;11,12,13,14,15;16,17,18,19,20"));
        foreach (var metric in Enum.GetValues<Metric>()) comparison.Matrix(metric, baseline: 0);
        return comparison;
    });
}

/// <summary>The first call (cold: connection, query compilation) apart, then the median and the slowest of the rest.</summary>
static async Task Time<T>(string what, int repeats, Func<Task<T>> action)
{
    var clock = Stopwatch.StartNew();
    await action();
    double first = clock.Elapsed.TotalMilliseconds;
    var times = new List<double>();
    for (int i = 0; i < repeats; i++)
    {
        clock.Restart();
        await action();
        times.Add(clock.Elapsed.TotalMilliseconds);
    }
    times.Sort();
    Console.WriteLine(FormattableString.Invariant($"{what}: first {first:F0} ms, then median {times[times.Count / 2]:F1} ms, slowest {times[^1]:F1} ms ({repeats} calls)"));
}

sealed class Factory(DbContextOptions<LabDbContext> options) : IDbContextFactory<LabDbContext>
{
    public LabDbContext CreateDbContext() => new(options);
}
