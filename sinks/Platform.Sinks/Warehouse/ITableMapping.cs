namespace Platform.Sinks.Warehouse;

/// <summary>
/// How a record type becomes a table row: the table's schema and a method writing one record's values
/// in column order. The warehouse sinks (PostgreSQL, DuckDB, Parquet) take the mapping as a type
/// parameter, so a struct mapping is specialised by the JIT and nothing is dispatched or allocated per row.
/// Text values should be strings that already exist (interned symbol names, constants), not built per row.
/// Example:
/// <code>
/// readonly struct ScoreMapping : ITableMapping&lt;Score&gt;
/// {
///     public TableSchema Schema { get; } = new("scores",
///         [new("user_id", ColumnType.Text), new("score", ColumnType.Double), new("scored_at", ColumnType.Timestamp)],
///         keys: ["user_id"], versionColumn: "scored_at");
///     public void Write&lt;TWriter&gt;(in Score row, ref TWriter writer) where TWriter : struct, IRowWriter
///     {
///         writer.WriteText(symbols.NameOf(row.User));
///         writer.WriteDouble(row.Value);
///         writer.WriteTimestamp(row.ScoredAtMs);
///     }
/// }
/// </code>
/// </summary>
/// <typeparam name="TRow">The record type.</typeparam>
public interface ITableMapping<TRow>
{
    /// <summary>The table the rows go to (the same instance on every call).</summary>
    TableSchema Schema { get; }

    /// <summary>Writes <paramref name="row"/>'s values, one per column of <see cref="Schema"/>, in order.</summary>
    void Write<TWriter>(in TRow row, ref TWriter writer) where TWriter : struct, IRowWriter;
}
