using Microsoft.EntityFrameworkCore;

namespace UniAD.Lab.Persistence;

/// <summary>The lab's tables. Provider-neutral: which database it runs on is chosen at registration.</summary>
public sealed class LabDbContext(DbContextOptions<LabDbContext> options) : DbContext(options)
{
    public DbSet<DatasetRecord> Datasets => Set<DatasetRecord>();
    public DbSet<RunRecord> Runs => Set<RunRecord>();
    public DbSet<EpochRecord> Epochs => Set<EpochRecord>();
    public DbSet<CategoryResult> CategoryResults => Set<CategoryResult>();
    public DbSet<TestEvaluationRecord> TestEvaluations => Set<TestEvaluationRecord>();
    public DbSet<ResourceSample> ResourceSamples => Set<ResourceSample>();
    public DbSet<StudyRecord> Studies => Set<StudyRecord>();

    protected override void OnModelCreating(ModelBuilder model)
    {
        model.Entity<DatasetRecord>(d =>
        {
            d.HasIndex(x => new { x.Name, x.Version }).IsUnique();
            d.Ignore(x => x.ShortVersion);
        });
        model.Entity<RunRecord>(r =>
        {
            r.HasIndex(x => x.Status);
            r.HasIndex(x => x.CreatedAt);
            r.HasIndex(x => x.Group);
            r.Property(x => x.Status).HasConversion<string>().HasMaxLength(16);
            r.HasOne(x => x.Dataset).WithMany().HasForeignKey(x => x.DatasetId).OnDelete(DeleteBehavior.Restrict);
            r.HasMany(x => x.History).WithOne().HasForeignKey(e => e.RunId).OnDelete(DeleteBehavior.Cascade);
            r.HasMany(x => x.Results).WithOne().HasForeignKey(c => c.RunId).OnDelete(DeleteBehavior.Cascade);
            r.HasMany(x => x.Evaluations).WithOne().HasForeignKey(e => e.RunId).OnDelete(DeleteBehavior.Cascade);
            r.HasMany(x => x.Resources).WithOne().HasForeignKey(s => s.RunId).OnDelete(DeleteBehavior.Cascade);
            r.HasIndex(x => x.StudyId);
            r.Ignore(x => x.IsUnified);
        });
        model.Entity<StudyRecord>(s =>
        {
            s.Property(x => x.Kind).HasConversion<string>().HasMaxLength(16);
            s.HasOne(x => x.Dataset).WithMany().HasForeignKey(x => x.DatasetId).OnDelete(DeleteBehavior.Restrict);
            s.HasMany(x => x.Runs).WithOne().HasForeignKey(r => r.StudyId).OnDelete(DeleteBehavior.SetNull);
        });
        model.Entity<ResourceSample>().HasIndex(x => new { x.RunId, x.Seconds });
        model.Entity<EpochRecord>().HasIndex(x => new { x.RunId, x.Epoch }).IsUnique();
        model.Entity<CategoryResult>().HasIndex(x => new { x.RunId, x.Category }).IsUnique();
        model.Entity<TestEvaluationRecord>().HasIndex(x => new { x.RunId, x.Epoch, x.Category }).IsUnique();
    }
}
