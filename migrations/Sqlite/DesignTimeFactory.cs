using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;
using UniAD.Lab.Persistence;

namespace UniAD.Lab.Migrations.Sqlite;

/// <summary>Lets <c>dotnet ef</c> build the model without starting the lab.</summary>
public sealed class DesignTimeFactory : IDesignTimeDbContextFactory<LabDbContext>
{
    public LabDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<LabDbContext>().UseSqlite("Data Source=design.db", SqliteMigrations.Configure).Options);
}
