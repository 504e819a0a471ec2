using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using UniAD.Lab.Studies;

namespace UniAD.Lab.Persistence;

public sealed class StudyMapping : IEntityTypeConfiguration<StudyRecord>
{
    public void Configure(EntityTypeBuilder<StudyRecord> s)
    {
        s.Property(x => x.Kind).HasConversion<string>().HasMaxLength(16);
        s.Property(x => x.Variants).HasColumnName("VariantsJson")
            .HasConversion(new JsonColumnConverter<StudyVariant>(), JsonColumnConverter<StudyVariant>.Comparer);
        s.Property(x => x.SweepAxes).HasColumnName("SweepAxesJson")
            .HasConversion(new JsonColumnConverter<SweepAxis>(), JsonColumnConverter<SweepAxis>.Comparer);
        s.HasOne(x => x.Dataset).WithMany().HasForeignKey(x => x.DatasetId).OnDelete(DeleteBehavior.Restrict);
        s.HasMany(x => x.Runs).WithOne().HasForeignKey(r => r.StudyId).OnDelete(DeleteBehavior.SetNull);
    }
}
