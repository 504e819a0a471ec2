using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using UniAD.Lab.Accounts;
using UniAD.Lab.Workers;

namespace UniAD.Lab.Persistence;

/// <summary>The lab's tables, and Identity's for accounts and roles (AspNet*). Provider-neutral: which database it runs on is chosen at registration; each entity's
/// mapping is in its <c>*Mapping</c> class beside it.</summary>
public sealed class LabDbContext(DbContextOptions<LabDbContext> options) : IdentityDbContext<LabUser>(options)
{
    public DbSet<DatasetRecord> Datasets => Set<DatasetRecord>();
    public DbSet<RunRecord> Runs => Set<RunRecord>();
    public DbSet<EpochRecord> Epochs => Set<EpochRecord>();
    public DbSet<CategoryResult> CategoryResults => Set<CategoryResult>();
    public DbSet<TestEvaluationRecord> TestEvaluations => Set<TestEvaluationRecord>();
    public DbSet<ResourceSample> ResourceSamples => Set<ResourceSample>();
    public DbSet<StudyRecord> Studies => Set<StudyRecord>();
    public DbSet<AccessToken> AccessTokens => Set<AccessToken>();
    public DbSet<AuditEntry> AuditEntries => Set<AuditEntry>();
    public DbSet<WorkerRecord> Workers => Set<WorkerRecord>();

    protected override void ConfigureConventions(ModelConfigurationBuilder conventions)
    {
        conventions.Properties<DateTime>().HaveConversion<UtcDateTimeConverter>();
        conventions.Properties<DateTime?>().HaveConversion<UtcDateTimeConverter>();
    }

    protected override void OnModelCreating(ModelBuilder model)
    {
        base.OnModelCreating(model);
        model.ApplyConfigurationsFromAssembly(typeof(LabDbContext).Assembly);
        model.Entity<ResourceSample>().HasIndex(x => new { x.RunId, x.Seconds });
        model.Entity<EpochRecord>().HasIndex(x => new { x.RunId, x.Epoch }).IsUnique();
        model.Entity<CategoryResult>().HasIndex(x => new { x.RunId, x.Category }).IsUnique();
        model.Entity<TestEvaluationRecord>().HasIndex(x => new { x.RunId, x.Epoch, x.Category }).IsUnique();
        model.Entity<AccessToken>().HasIndex(x => x.SecretHash).IsUnique();
        model.Entity<AccessToken>().HasIndex(x => x.UserId);
        model.Entity<AccessToken>().HasOne<LabUser>().WithMany().HasForeignKey(x => x.UserId).OnDelete(DeleteBehavior.Cascade);
        model.Entity<AuditEntry>().HasIndex(x => x.At);
    }
}
