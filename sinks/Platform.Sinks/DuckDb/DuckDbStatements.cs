using System.Text;
using Platform.Sinks.Warehouse;

namespace Platform.Sinks.DuckDb;

/// <summary>
/// The statements a DuckDB upsert sink runs, built once from the table's schema: the same semantics as the
/// PostgreSQL sink (latest row per key by version then arrival; a stored newer version is kept), with DuckDB's
/// <c>QUALIFY</c> for the per-key pick. Only validated, quoted identifiers go into the text.
/// </summary>
internal sealed class DuckDbStatements
{
    public const string SequenceColumn = "__seq";

    public DuckDbStatements(TableSchema table)
    {
        Table = table;
        QuotedTable = TableSchema.Quote(table.Name);
        StageTable = table.Name + "__stage";
        var stage = TableSchema.Quote(StageTable);
        var columns = string.Join(", ", table.Columns.Select(c => TableSchema.Quote(c.Name)));
        var keys = string.Join(", ", table.KeyIndexes.Select(i => TableSchema.Quote(table.Columns[i].Name)));
        var definitions = string.Join(", ", table.Columns.Select(c => $"{TableSchema.Quote(c.Name)} {TypeName(c.Type)}"));

        CreateTable = $"CREATE TABLE IF NOT EXISTS {QuotedTable} ({definitions}, PRIMARY KEY ({keys}))";
        CreateUnkeyedTable = $"CREATE TABLE IF NOT EXISTS {QuotedTable} ({definitions})";
        DropTable = $"DROP TABLE IF EXISTS {QuotedTable}";
        CreateStage = $"CREATE OR REPLACE TABLE {stage} ({definitions}, {SequenceColumn} BIGINT)";

        var sql = new StringBuilder();
        sql.Append("INSERT INTO ").Append(QuotedTable).Append(" (").Append(columns).Append(") SELECT ").Append(columns)
            .Append(" FROM ").Append(stage).Append(" QUALIFY row_number() OVER (PARTITION BY ").Append(keys).Append(" ORDER BY ");
        if (table.VersionIndex >= 0) sql.Append(TableSchema.Quote(table.Columns[table.VersionIndex].Name)).Append(" DESC NULLS LAST, ");
        sql.Append(SequenceColumn).Append(" DESC) = 1 ON CONFLICT (").Append(keys).Append(") ");
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
                sql.Append(" WHERE ").Append(QuotedTable).Append('.').Append(version).Append(" IS NULL OR EXCLUDED.").Append(version)
                    .Append(" >= ").Append(QuotedTable).Append('.').Append(version);
            }
        }
        Upsert = sql + "; DELETE FROM " + stage + ";";
    }

    public TableSchema Table { get; }

    public string QuotedTable { get; }

    /// <summary>The staging table's (unquoted) name, for the appender.</summary>
    public string StageTable { get; }

    /// <summary>The table keyed by the schema's key columns (upsert mode).</summary>
    public string CreateTable { get; }

    /// <summary>The table without a key (replace and append modes, where a key may repeat, e.g. a window's late update).</summary>
    public string CreateUnkeyedTable { get; }

    public string DropTable { get; }

    public string CreateStage { get; }

    /// <summary>Moves the staged rows into the table and empties the stage.</summary>
    public string Upsert { get; }

    /// <summary>The DuckDB type of a column type (as <c>information_schema.columns.data_type</c> reports it).</summary>
    public static string TypeName(ColumnType type) => type switch
    {
        ColumnType.Text => "VARCHAR",
        ColumnType.Boolean => "BOOLEAN",
        ColumnType.Int32 => "INTEGER",
        ColumnType.Int64 => "BIGINT",
        ColumnType.Double => "DOUBLE",
        ColumnType.Timestamp => "TIMESTAMP",
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, null),
    };

    public string AddColumn(TableColumn column) =>
        $"ALTER TABLE {QuotedTable} ADD COLUMN IF NOT EXISTS {TableSchema.Quote(column.Name)} {TypeName(column.Type)}";
}
