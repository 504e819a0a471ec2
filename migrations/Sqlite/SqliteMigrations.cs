using Microsoft.EntityFrameworkCore.Infrastructure;

namespace UniAD.Lab.Migrations.Sqlite;

/// <summary>Points EF Core at this assembly's migrations when the lab uses SQLite.</summary>
public static class SqliteMigrations
{
    public static void Configure(SqliteDbContextOptionsBuilder sqlite) => sqlite.MigrationsAssembly(typeof(SqliteMigrations).Assembly.GetName().Name);
}
