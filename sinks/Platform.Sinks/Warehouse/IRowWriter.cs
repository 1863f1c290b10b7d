namespace Platform.Sinks.Warehouse;

/// <summary>
/// Receives one row's values, one call per column in <see cref="TableSchema.Columns"/> order. Each sink
/// implements it as a struct over its bulk API (Npgsql's binary importer, DuckDB's appender, Parquet
/// column buffers), and <see cref="ITableMapping{TRow}.Write{TWriter}"/> is generic over it, so a row goes
/// from the record struct into the sink's buffer with no boxing and no allocation. A call whose type does
/// not match the column's, a null for a non-nullable column, or a row with too few or too many values
/// throws <see cref="InvalidOperationException"/> naming the column.
/// </summary>
public interface IRowWriter
{
    /// <summary>A <see cref="ColumnType.Text"/> value (null only for a nullable column).</summary>
    void WriteText(string? value);

    /// <summary>A <see cref="ColumnType.Boolean"/> value.</summary>
    void WriteBoolean(bool value);

    /// <summary>A <see cref="ColumnType.Int32"/> value.</summary>
    void WriteInt32(int value);

    /// <summary>A <see cref="ColumnType.Int64"/> value.</summary>
    void WriteInt64(long value);

    /// <summary>A <see cref="ColumnType.Double"/> value.</summary>
    void WriteDouble(double value);

    /// <summary>A <see cref="ColumnType.Timestamp"/> value as Unix milliseconds (UTC).</summary>
    void WriteTimestamp(long unixMs);

    /// <summary>Null, for a column declared <see cref="TableColumn.Nullable"/>.</summary>
    void WriteNull();
}
