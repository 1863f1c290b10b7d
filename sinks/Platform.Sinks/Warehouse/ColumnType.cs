namespace Platform.Sinks.Warehouse;

/// <summary>
/// The column types a warehouse table can have: few on purpose, each with one meaning in every sink.
/// PostgreSQL / DuckDB / Parquet types: <see cref="Text"/> text / VARCHAR / UTF-8 string;
/// <see cref="Boolean"/> boolean / BOOLEAN / boolean; <see cref="Int32"/> integer / INTEGER / int32;
/// <see cref="Int64"/> bigint / BIGINT / int64; <see cref="Double"/> double precision / DOUBLE / double;
/// <see cref="Timestamp"/> timestamptz / TIMESTAMP (UTC) / timestamp (UTC, ms).
/// </summary>
public enum ColumnType
{
    /// <summary>A string.</summary>
    Text,
    /// <summary>True or false.</summary>
    Boolean,
    /// <summary>A 32-bit integer.</summary>
    Int32,
    /// <summary>A 64-bit integer.</summary>
    Int64,
    /// <summary>A 64-bit float.</summary>
    Double,
    /// <summary>An instant, written as Unix milliseconds, stored as UTC.</summary>
    Timestamp,
}
