using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace UniAD.Lab.Migrations.Sqlite.Migrations
{
    /// <summary>The run's parts became owned types (their columns keep their names), its ablation got a column of its own
    /// (it was the second word of the preset, "quick no-jitter"), and the lists stored as joined text (categories, normal
    /// classes, tags and seeds by commas, warnings by newlines, no sweep as an empty string) became JSON arrays, which
    /// EF reads as lists. Every value an older lab stored is kept: the upgrade test compares them field by field.</summary>
    public partial class RunPartsListsAndUtcTimes : Migration
    {
        /// <summary>The ablations a preset could be followed by; any other second word (e.g. "official import") is part of
        /// the preset's name.</summary>
        private static readonly string[] Ablations =
        [
            "vanilla", "no-neighbor-mask", "neighbor-mask-encoder-only", "neighbor-mask-decoder-only", "no-jitter", "shared-query", "no-query",
        ];

        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "Ablation",
                table: "Runs",
                type: "TEXT",
                nullable: false,
                defaultValue: "full");
            migrationBuilder.Sql($"""
                UPDATE Runs SET Ablation = substr(Preset, instr(Preset, ' ') + 1), Preset = substr(Preset, 1, instr(Preset, ' ') - 1)
                WHERE instr(Preset, ' ') > 0 AND substr(Preset, instr(Preset, ' ') + 1) IN ({string.Join(", ", Ablations.Select(a => $"'{a}'"))});
                """);
            foreach (var (table, column) in new[] { ("Runs", "Categories"), ("Runs", "NormalClasses"), ("Runs", "Tags"), ("Studies", "Categories"), ("Studies", "NormalClasses") })
                migrationBuilder.Sql(SplitToJson(table, column, "','", "Item"));
            migrationBuilder.Sql(SplitToJson("Runs", "Warnings", "char(10)", "Item"));
            migrationBuilder.Sql(SplitToJson("Studies", "Seeds", "','", "CAST(Item AS INTEGER)"));
            migrationBuilder.Sql("UPDATE Studies SET SweepAxesJson = '[]' WHERE SweepAxesJson = '';");
        }

        /// <summary>Replaces each value of <paramref name="column"/>, items joined by <paramref name="separator"/> (an SQL
        /// expression), with the JSON array of its trimmed, non-empty items in their order.</summary>
        private static string SplitToJson(string table, string column, string separator, string element) => $"""
            WITH RECURSIVE Parts(Id, Position, Item, Rest) AS (
                SELECT Id, 0, NULL, "{column}" || {separator} FROM "{table}"
                UNION ALL
                SELECT Id, Position + 1, trim(substr(Rest, 1, instr(Rest, {separator}) - 1)), substr(Rest, instr(Rest, {separator}) + 1)
                FROM Parts WHERE Rest <> ''
            )
            UPDATE "{table}" SET "{column}" = (
                SELECT json_group_array({element}) FROM (
                    SELECT Item FROM Parts WHERE Parts.Id = "{table}".Id AND Position > 0 AND Item <> '' ORDER BY Position));
            """;

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("UPDATE Studies SET SweepAxesJson = '' WHERE SweepAxesJson = '[]';");
            foreach (var (table, column, separator) in new[]
                     {
                         ("Runs", "Categories", "','"), ("Runs", "NormalClasses", "','"), ("Runs", "Tags", "', '"), ("Runs", "Warnings", "char(10)"),
                         ("Studies", "Categories", "','"), ("Studies", "NormalClasses", "','"), ("Studies", "Seeds", "','"),
                     })
                migrationBuilder.Sql($"""UPDATE "{table}" SET "{column}" = coalesce((SELECT group_concat(value, {separator}) FROM json_each("{table}"."{column}")), '');""");
            migrationBuilder.Sql("UPDATE Runs SET Preset = Preset || ' ' || Ablation WHERE Ablation <> 'full';");
            migrationBuilder.DropColumn(
                name: "Ablation",
                table: "Runs");
        }
    }
}
