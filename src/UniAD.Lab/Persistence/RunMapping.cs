using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace UniAD.Lab.Persistence;

/// <summary>A run and its parts in one row. The parts' columns keep the names they had before the parts existed, so the
/// grouping changed the code and not the stored data.</summary>
public sealed class RunMapping : IEntityTypeConfiguration<RunRecord>
{
    public void Configure(EntityTypeBuilder<RunRecord> r)
    {
        r.HasIndex(x => x.Status);
        r.HasIndex(x => x.CreatedAt);
        r.HasIndex(x => x.Group);
        r.HasIndex(x => x.StudyId);
        r.Property(x => x.Status).HasConversion<string>().HasMaxLength(16);
        r.Ignore(x => x.IsUnified);
        r.Ignore(x => x.IsImported);
        r.HasOne(x => x.Dataset).WithMany().HasForeignKey(x => x.DatasetId).OnDelete(DeleteBehavior.Restrict);
        r.HasMany(x => x.History).WithOne().HasForeignKey(e => e.RunId).OnDelete(DeleteBehavior.Cascade);
        r.HasMany(x => x.Results).WithOne().HasForeignKey(c => c.RunId).OnDelete(DeleteBehavior.Cascade);
        r.HasMany(x => x.Evaluations).WithOne().HasForeignKey(e => e.RunId).OnDelete(DeleteBehavior.Cascade);
        r.HasMany(x => x.Resources).WithOne().HasForeignKey(s => s.RunId).OnDelete(DeleteBehavior.Cascade);

        r.OwnsOne(x => x.Request, part => KeepColumnNames(part));
        r.OwnsOne(x => x.Progress, part => KeepColumnNames(part));
        r.OwnsOne(x => x.Summary, part => KeepColumnNames(part));
        r.OwnsOne(x => x.BestOnTest, part => KeepColumnNames(part, prefix: "Best"));
        r.OwnsOne(x => x.Cost, part => KeepColumnNames(part));
        r.OwnsOne(x => x.Provenance, part => KeepColumnNames(part));
        foreach (var part in new[] { nameof(RunRecord.Request), nameof(RunRecord.Progress), nameof(RunRecord.Summary),
                                     nameof(RunRecord.BestOnTest), nameof(RunRecord.Cost), nameof(RunRecord.Provenance) })
            r.Navigation(part).IsRequired();
    }

    /// <summary>Each of the part's columns named after its property (with <paramref name="prefix"/>), as the run's own
    /// columns were, instead of EF's <c>Part_Property</c>.</summary>
    private static void KeepColumnNames<T>(OwnedNavigationBuilder<RunRecord, T> part, string prefix = "") where T : class
    {
        foreach (var property in typeof(T).GetProperties().Where(p => p.CanWrite))
        {
            if (property.PropertyType.IsGenericType && property.PropertyType.GetGenericTypeDefinition() == typeof(List<>))
                part.PrimitiveCollection(property.Name).HasColumnName(prefix + property.Name);
            else part.Property(property.Name).HasColumnName(prefix + property.Name);
        }
    }
}
