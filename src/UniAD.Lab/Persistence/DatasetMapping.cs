using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace UniAD.Lab.Persistence;

public sealed class DatasetMapping : IEntityTypeConfiguration<DatasetRecord>
{
    public void Configure(EntityTypeBuilder<DatasetRecord> d)
    {
        d.HasIndex(x => new { x.Name, x.Version }).IsUnique();
        d.Ignore(x => x.ShortVersion);
    }
}
