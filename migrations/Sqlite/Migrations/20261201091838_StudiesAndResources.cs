using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace UniAD.Lab.Migrations.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class StudiesAndResources : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<bool>(
                name: "CancelRequested",
                table: "Runs",
                type: "INTEGER",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<long>(
                name: "PeakGpuMemoryBytes",
                table: "Runs",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "PeakMemoryBytes",
                table: "Runs",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "StudyId",
                table: "Runs",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Variant",
                table: "Runs",
                type: "TEXT",
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<double>(
                name: "WallSeconds",
                table: "Runs",
                type: "REAL",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "ResourceSamples",
                columns: table => new
                {
                    Id = table.Column<int>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    RunId = table.Column<int>(type: "INTEGER", nullable: false),
                    Seconds = table.Column<double>(type: "REAL", nullable: false),
                    CpuPercent = table.Column<double>(type: "REAL", nullable: false),
                    MemoryBytes = table.Column<long>(type: "INTEGER", nullable: false),
                    GpuUtilizationPercent = table.Column<double>(type: "REAL", nullable: true),
                    GpuMemoryBytes = table.Column<long>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ResourceSamples", x => x.Id);
                    table.ForeignKey(
                        name: "FK_ResourceSamples_Runs_RunId",
                        column: x => x.RunId,
                        principalTable: "Runs",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "Studies",
                columns: table => new
                {
                    Id = table.Column<int>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    Name = table.Column<string>(type: "TEXT", nullable: false),
                    Kind = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    DatasetId = table.Column<int>(type: "INTEGER", nullable: false),
                    Categories = table.Column<string>(type: "TEXT", nullable: false),
                    NormalClasses = table.Column<string>(type: "TEXT", nullable: false),
                    Preset = table.Column<string>(type: "TEXT", nullable: false),
                    BaseConfigJson = table.Column<string>(type: "TEXT", nullable: false),
                    VariantsJson = table.Column<string>(type: "TEXT", nullable: false),
                    Baseline = table.Column<string>(type: "TEXT", nullable: false),
                    Seeds = table.Column<string>(type: "TEXT", nullable: false),
                    SweepAxesJson = table.Column<string>(type: "TEXT", nullable: false),
                    Device = table.Column<string>(type: "TEXT", nullable: false),
                    Queue = table.Column<string>(type: "TEXT", nullable: false),
                    CreatedAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    CreatedBy = table.Column<string>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Studies", x => x.Id);
                    table.ForeignKey(
                        name: "FK_Studies_Datasets_DatasetId",
                        column: x => x.DatasetId,
                        principalTable: "Datasets",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateIndex(
                name: "IX_Runs_StudyId",
                table: "Runs",
                column: "StudyId");

            migrationBuilder.CreateIndex(
                name: "IX_ResourceSamples_RunId_Seconds",
                table: "ResourceSamples",
                columns: new[] { "RunId", "Seconds" });

            migrationBuilder.CreateIndex(
                name: "IX_Studies_DatasetId",
                table: "Studies",
                column: "DatasetId");

            migrationBuilder.AddForeignKey(
                name: "FK_Runs_Studies_StudyId",
                table: "Runs",
                column: "StudyId",
                principalTable: "Studies",
                principalColumn: "Id",
                onDelete: ReferentialAction.SetNull);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropForeignKey(
                name: "FK_Runs_Studies_StudyId",
                table: "Runs");

            migrationBuilder.DropTable(
                name: "ResourceSamples");

            migrationBuilder.DropTable(
                name: "Studies");

            migrationBuilder.DropIndex(
                name: "IX_Runs_StudyId",
                table: "Runs");

            migrationBuilder.DropColumn(
                name: "CancelRequested",
                table: "Runs");

            migrationBuilder.DropColumn(
                name: "PeakGpuMemoryBytes",
                table: "Runs");

            migrationBuilder.DropColumn(
                name: "PeakMemoryBytes",
                table: "Runs");

            migrationBuilder.DropColumn(
                name: "StudyId",
                table: "Runs");

            migrationBuilder.DropColumn(
                name: "Variant",
                table: "Runs");

            migrationBuilder.DropColumn(
                name: "WallSeconds",
                table: "Runs");
        }
    }
}
