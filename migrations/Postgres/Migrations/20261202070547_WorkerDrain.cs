using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace UniAD.Lab.Migrations.Postgres.Migrations
{
    /// <inheritdoc />
    public partial class WorkerDrain : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<bool>(
                name: "Draining",
                table: "Workers",
                type: "boolean",
                nullable: false,
                defaultValue: false);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "Draining",
                table: "Workers");
        }
    }
}
