using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;
using UniAD.Lab.Persistence;

namespace UniAD.Lab.Migrations.Postgres;

/// <summary>Lets <c>dotnet ef</c> build the model without starting the lab; adding a migration connects to nothing.</summary>
public sealed class DesignTimeFactory : IDesignTimeDbContextFactory<LabDbContext>
{
    public LabDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<LabDbContext>().UseNpgsql("Host=localhost;Database=uniad_design", PostgresMigrations.Configure).Options);
}
