using Npgsql.EntityFrameworkCore.PostgreSQL.Infrastructure;

namespace UniAD.Lab.Migrations.Postgres;

/// <summary>Points EF Core at this assembly's migrations when the lab uses PostgreSQL.</summary>
public static class PostgresMigrations
{
    public static void Configure(NpgsqlDbContextOptionsBuilder postgres) => postgres.MigrationsAssembly(typeof(PostgresMigrations).Assembly.GetName().Name);
}
