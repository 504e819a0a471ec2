using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace UniAD.Lab.Workers;

public sealed class WorkerMapping : IEntityTypeConfiguration<WorkerRecord>
{
    public void Configure(EntityTypeBuilder<WorkerRecord> w)
    {
        w.ToTable("Workers");
        w.HasKey(x => x.Name);
        w.Property(x => x.Name).HasMaxLength(300);
        w.HasIndex(x => x.LastHeartbeat);
    }
}
