using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace UniAD.Lab.Migrations.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class TestEvaluations : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<int>(
                name: "BestEpoch",
                table: "Runs",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<double>(
                name: "BestImageAuroc",
                table: "Runs",
                type: "REAL",
                nullable: true);

            migrationBuilder.AddColumn<double>(
                name: "BestPixelAuroc",
                table: "Runs",
                type: "REAL",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "TestEvaluations",
                columns: table => new
                {
                    Id = table.Column<int>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    RunId = table.Column<int>(type: "INTEGER", nullable: false),
                    Epoch = table.Column<int>(type: "INTEGER", nullable: false),
                    Category = table.Column<string>(type: "TEXT", nullable: false),
                    IsMean = table.Column<bool>(type: "INTEGER", nullable: false),
                    ImageAuroc = table.Column<double>(type: "REAL", nullable: false),
                    PixelAuroc = table.Column<double>(type: "REAL", nullable: true),
                    PassThrough = table.Column<double>(type: "REAL", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_TestEvaluations", x => x.Id);
                    table.ForeignKey(
                        name: "FK_TestEvaluations_Runs_RunId",
                        column: x => x.RunId,
                        principalTable: "Runs",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_TestEvaluations_RunId_Epoch_Category",
                table: "TestEvaluations",
                columns: new[] { "RunId", "Epoch", "Category" },
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "TestEvaluations");

            migrationBuilder.DropColumn(
                name: "BestEpoch",
                table: "Runs");

            migrationBuilder.DropColumn(
                name: "BestImageAuroc",
                table: "Runs");

            migrationBuilder.DropColumn(
                name: "BestPixelAuroc",
                table: "Runs");
        }
    }
}
