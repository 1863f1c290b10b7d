using System.Text;
using Platform.Sinks.Warehouse;

namespace Platform.Sinks.Postgres;

/// <summary>
/// The statements a PostgreSQL upsert sink runs, built once from the table's schema. Only validated
/// identifiers (schema, table and column names, quoted) go into the text; values never do — they travel
/// by binary COPY into a temporary staging table, and one MERGE (stage reduced to one row per key) or
/// INSERT … SELECT … ON CONFLICT moves them.
/// </summary>
internal sealed class PostgresStatements
{
    /// <summary>The staging table: temporary, so private to its connection; created once per connection and emptied at every commit.</summary>
    public const string StageTable = "platform_upsert_stage";

    /// <summary>The staging column that orders duplicates of a key within a batch (arrival order).</summary>
    public const string SequenceColumn = "__seq";

    /// <summary>Statistics target of the stage's key columns: a 3,000-row sample tells the planner the keys are distinct and how many rows the stage holds.</summary>
    private const int StageStatisticsTarget = 10;

    /// <summary>Memory for the per-batch sort by key (DISTINCT ON): a 50 k-row batch sorts in memory instead of spilling to disk.</summary>
    private const string SortMemory = "64MB";

    public PostgresStatements(string schemaName, TableSchema table, int fillFactor = 100)
    {
        Table = table;
        QualifiedTable = TableSchema.Quote(schemaName) + "." + TableSchema.Quote(table.Name);
        var columns = string.Join(", ", table.Columns.Select(c => TableSchema.Quote(c.Name)));
        var keys = string.Join(", ", table.KeyIndexes.Select(i => TableSchema.Quote(table.Columns[i].Name)));
        var definitions = string.Join(", ", table.Columns.Select(c => $"{TableSchema.Quote(c.Name)} {TypeName(c.Type)}"));

        // fillfactor < 100 leaves room on each page, so an update can stay on its page (HOT: no index entry to add).
        var storage = fillFactor < 100 ? FormattableString.Invariant($" WITH (fillfactor = {fillFactor})") : "";
        CreateTable = $"CREATE TABLE IF NOT EXISTS {QualifiedTable} ({definitions}, PRIMARY KEY ({keys})){storage}";
        var keyStatistics = string.Concat(table.KeyIndexes.Select(i => $", ALTER COLUMN {TableSchema.Quote(table.Columns[i].Name)} SET STATISTICS {StageStatisticsTarget}"));
        PrepareSession = $"SET work_mem = '{SortMemory}'; CREATE TEMPORARY TABLE IF NOT EXISTS {StageTable} ({definitions}, {SequenceColumn} bigint) ON COMMIT DELETE ROWS; " +
            $"ALTER TABLE {StageTable} {keyStatistics[2..]}";
        AnalyzeStage = $"ANALYZE {StageTable} ({keys})";
        CopyIntoStage = $"COPY {StageTable} ({columns}, {SequenceColumn}) FROM STDIN (FORMAT BINARY)";

        var sql = new StringBuilder();
        sql.Append("INSERT INTO ").Append(QualifiedTable).Append(" AS t (").Append(columns).Append(") ")
            .Append("SELECT DISTINCT ON (").Append(keys).Append(") ").Append(columns)
            .Append(" FROM ").Append(StageTable)
            .Append(" ORDER BY ").Append(keys).Append(", ");
        if (table.VersionIndex >= 0) sql.Append(TableSchema.Quote(table.Columns[table.VersionIndex].Name)).Append(" DESC NULLS LAST, ");
        sql.Append(SequenceColumn).Append(" DESC ON CONFLICT (").Append(keys).Append(") ");
        var updated = Enumerable.Range(0, table.Columns.Count).Where(i => !table.IsKey(i)).ToArray();
        if (updated.Length == 0)
        {
            sql.Append("DO NOTHING");
        }
        else
        {
            sql.Append("DO UPDATE SET ").AppendJoin(", ", updated.Select(i => $"{TableSchema.Quote(table.Columns[i].Name)} = EXCLUDED.{TableSchema.Quote(table.Columns[i].Name)}"));
            if (table.VersionIndex >= 0)
            {
                var version = TableSchema.Quote(table.Columns[table.VersionIndex].Name);
                sql.Append(" WHERE t.").Append(version).Append(" IS NULL OR EXCLUDED.").Append(version).Append(" >= t.").Append(version);
            }
        }
        Upsert = sql.ToString();
        Merge = MergeStatement(table, columns);
    }

    /// <summary>
    /// <c>MERGE</c> from the stage, for a stage holding at most one row per key (the sink reduced the batch): a join
    /// instead of a speculative insert, a tuple lock and an update per row, and no sort. A key inserted by another
    /// session between the join and the insert fails it with a unique violation (PostgreSQL 15's MERGE does not
    /// fall back to an update); the sink then runs <see cref="Upsert"/> instead.
    /// </summary>
    private string MergeStatement(TableSchema table, string columns)
    {
        var on = string.Join(" AND ", table.KeyIndexes.Select(i => $"t.{TableSchema.Quote(table.Columns[i].Name)} = s.{TableSchema.Quote(table.Columns[i].Name)}"));
        var sql = new StringBuilder();
        sql.Append("MERGE INTO ").Append(QualifiedTable).Append(" AS t USING ").Append(StageTable).Append(" AS s ON ").Append(on).Append(" WHEN MATCHED ");
        var updated = Enumerable.Range(0, table.Columns.Count).Where(i => !table.IsKey(i)).ToArray();
        if (updated.Length == 0)
        {
            sql.Append("THEN DO NOTHING");
        }
        else
        {
            if (table.VersionIndex >= 0)
            {
                var version = TableSchema.Quote(table.Columns[table.VersionIndex].Name);
                sql.Append("AND (t.").Append(version).Append(" IS NULL OR s.").Append(version).Append(" >= t.").Append(version).Append(") ");
            }
            sql.Append("THEN UPDATE SET ").AppendJoin(", ", updated.Select(i => $"{TableSchema.Quote(table.Columns[i].Name)} = s.{TableSchema.Quote(table.Columns[i].Name)}"));
        }
        sql.Append(" WHEN NOT MATCHED THEN INSERT (").Append(columns).Append(") VALUES (")
            .AppendJoin(", ", table.Columns.Select(c => "s." + TableSchema.Quote(c.Name))).Append(')');
        return sql.ToString();
    }

    public TableSchema Table { get; }

    /// <summary><c>"schema"."table"</c>.</summary>
    public string QualifiedTable { get; }

    public string CreateTable { get; }

    /// <summary>Run once on each writer connection: session settings and its staging table (no catalog work per batch).</summary>
    public string PrepareSession { get; }

    public string CopyIntoStage { get; }

    /// <summary>Statistics of the stage's key columns for the planner (see the sink's <c>AnalyzeStageAsync</c>).</summary>
    public string AnalyzeStage { get; }

    /// <summary>Moves the staged rows into the table: the latest row per key (highest version, then last written) inserted or updated.</summary>
    public string Upsert { get; }

    /// <summary>Moves staged rows with unique keys into the table (see <see cref="MergeStatement"/>); same result as <see cref="Upsert"/>.</summary>
    public string Merge { get; }

    /// <summary>The PostgreSQL type of a column type (as <c>information_schema.columns.data_type</c> reports it).</summary>
    public static string TypeName(ColumnType type) => type switch
    {
        ColumnType.Text => "text",
        ColumnType.Boolean => "boolean",
        ColumnType.Int32 => "integer",
        ColumnType.Int64 => "bigint",
        ColumnType.Double => "double precision",
        ColumnType.Timestamp => "timestamp with time zone",
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, null),
    };

    /// <summary><c>ALTER TABLE … ADD COLUMN IF NOT EXISTS</c> for a column the table lacks (nullable: existing rows have no value).</summary>
    public string AddColumn(TableColumn column) =>
        $"ALTER TABLE {QualifiedTable} ADD COLUMN IF NOT EXISTS {TableSchema.Quote(column.Name)} {TypeName(column.Type)}";
}
