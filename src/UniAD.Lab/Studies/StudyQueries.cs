using Microsoft.EntityFrameworkCore;
using UniAD.Core.Configuration;
using UniAD.Lab.Compare;
using UniAD.Lab.Persistence;

namespace UniAD.Lab.Studies;

/// <summary>A study with where its runs stand.</summary>
public sealed record StudySummary(StudyRecord Study, int Runs, int Finished, int Failed, int Active)
{
    public double Progress => Runs == 0 ? 0 : (double)(Finished + Failed) / Runs;
}

/// <summary>A study, its variants in order (each with its runs), the baseline's position, and its base config parsed.</summary>
public sealed record StudyDetail(StudyRecord Study, IReadOnlyList<StudyVariant> Variants, IReadOnlyList<CompareItem> Items, int Baseline,
    UniadConfig BaseConfig)
{
    /// <summary>One unified model over several categories, or a model of one category.</summary>
    public bool IsUnified => Study.Categories.Count != 1;

    public MetricMatrix Matrix(Metric metric) => MetricMatrix.Build(Items, metric, Baseline);

    /// <summary>The compare view of the study's variants, each a group of its seeds.</summary>
    public CompareSelection Selection => CompareSelection.OfGroups(Items.Where(i => i.Runs.Count > 0).Select(i => (i.Label, (IReadOnlyList<int>)[.. i.Runs.Select(r => r.Id)])));
}

public sealed class StudyQueries(IDbContextFactory<LabDbContext> databases, CompareQueries compare)
{
    public async Task<IReadOnlyList<StudySummary>> ListAsync(CancellationToken cancel = default)
    {
        await using var db = await databases.CreateDbContextAsync(cancel);
        var studies = await db.Studies.AsNoTracking().Include(s => s.Dataset).OrderByDescending(s => s.Id).ToListAsync(cancel);
        var counts = await db.Runs.AsNoTracking().Where(r => r.StudyId != null).GroupBy(r => new { r.StudyId, r.Status })
            .Select(g => new { g.Key.StudyId, g.Key.Status, Count = g.Count() }).ToListAsync(cancel);
        return studies.Select(s =>
        {
            var mine = counts.Where(c => c.StudyId == s.Id).ToList();
            int Count(params RunStatus[] statuses) => mine.Where(c => statuses.Contains(c.Status)).Sum(c => c.Count);
            return new StudySummary(s, mine.Sum(c => c.Count), Count(RunStatus.Finished), Count(RunStatus.Failed, RunStatus.Cancelled),
                Count(RunStatus.Queued, RunStatus.Running));
        }).ToList();
    }

    public async Task<StudyDetail?> GetAsync(int id, CancellationToken cancel = default)
    {
        await using var db = await databases.CreateDbContextAsync(cancel);
        var study = await db.Studies.AsNoTracking().Include(s => s.Dataset).SingleOrDefaultAsync(s => s.Id == id, cancel);
        if (study is null) return null;
        var ids = await db.Runs.Where(r => r.StudyId == id).Select(r => r.Id).ToListAsync(cancel);
        var runs = await compare.LoadAsync(ids, withCurves: false, cancel);
        var variants = study.Variants;
        var items = variants.Select(v => new CompareItem(v.Name, [.. runs.Where(r => r.Variant == v.Name).OrderBy(r => r.Request.Seed)])).ToList();
        return new StudyDetail(study, variants, items, Math.Max(0, variants.FindIndex(v => v.Name == study.Baseline)),
            UniadConfig.FromJson(study.BaseConfigJson));
    }
}
