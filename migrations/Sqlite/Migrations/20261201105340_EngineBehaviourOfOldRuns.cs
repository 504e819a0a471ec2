using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace UniAD.Lab.Migrations.Sqlite.Migrations
{
    /// <summary>Runs stored before the engine followed the official learning-rate timing and jitter noise stream
    /// trained the lab's first way; their configs now say so, so that they resume with the numbers they started
    /// with (UniadConfig.EngineBehaviour, docs/model.md). Configs that already name a behaviour are left alone.</summary>
    public partial class EngineBehaviourOfOldRuns : Migration
    {
        private static readonly (string Parent, string Key)[] Switches =
            [("$.training", "lr_step_timing"), ("$.model.feature_jitter", "noise_stream")];

        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            foreach (var (parent, key) in Switches)
                migrationBuilder.Sql($"""
                    UPDATE Runs SET ConfigJson = json_set(ConfigJson, '{parent}.{key}', 'lab_v1')
                    WHERE json_valid(ConfigJson) AND json_type(ConfigJson, '{parent}') = 'object'
                      AND json_type(ConfigJson, '{parent}.{key}') IS NULL;
                    """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            foreach (var (parent, key) in Switches)
                migrationBuilder.Sql($"""
                    UPDATE Runs SET ConfigJson = json_remove(ConfigJson, '{parent}.{key}')
                    WHERE json_valid(ConfigJson) AND json_extract(ConfigJson, '{parent}.{key}') = 'lab_v1';
                    """);
        }
    }
}
