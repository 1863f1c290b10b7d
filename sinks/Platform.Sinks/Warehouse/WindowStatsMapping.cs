using System.Globalization;
using Platform.Engine.Records;
using Platform.Engine.Symbols;

namespace Platform.Sinks.Warehouse;

/// <summary>
/// Window statistics (<see cref="WindowResult"/>) as a table: the columns of the DuckDB window sink
/// (device_id, sensor_type, window_start, window_end, count, sum, min, max, mean, variance, p50, p95, p99,
/// is_update), keyed by device, sensor and window start, so a window replayed after a recovery or revised
/// by a late record replaces its earlier row.
/// </summary>
public readonly struct WindowStatsMapping : ITableMapping<WindowResult>
{
    /// <summary>Default table name.</summary>
    public const string DefaultTable = "window_stats";

    private readonly SymbolTable _symbols;

    /// <summary>Creates the mapping.</summary>
    /// <param name="symbols">The table the keys' symbols come from (<see cref="SensorKey.Packed"/>).</param>
    /// <param name="table">Table name.</param>
    public WindowStatsMapping(SymbolTable symbols, string table = DefaultTable)
    {
        ArgumentNullException.ThrowIfNull(symbols);
        _symbols = symbols;
        Schema = string.Equals(DefaultSchema.Name, table, StringComparison.OrdinalIgnoreCase) ? DefaultSchema : DefaultSchema.WithName(table);
    }

    /// <summary>The schema under <see cref="DefaultTable"/>.</summary>
    public static TableSchema DefaultSchema { get; } = new(DefaultTable,
    [
        new("device_id", ColumnType.Text),
        new("sensor_type", ColumnType.Text),
        new("window_start", ColumnType.Timestamp),
        new("window_end", ColumnType.Timestamp),
        new("count", ColumnType.Int64),
        new("sum", ColumnType.Double),
        new("min", ColumnType.Double),
        new("max", ColumnType.Double),
        new("mean", ColumnType.Double),
        new("variance", ColumnType.Double),
        new("p50", ColumnType.Double),
        new("p95", ColumnType.Double),
        new("p99", ColumnType.Double),
        new("is_update", ColumnType.Boolean),
    ], keys: ["device_id", "sensor_type", "window_start"]);

    /// <inheritdoc />
    public TableSchema Schema { get; }

    /// <inheritdoc />
    public void Write<TWriter>(in WindowResult row, ref TWriter writer) where TWriter : struct, IRowWriter
    {
        var key = SensorKey.FromPacked(row.Key);
        writer.WriteText(NameOf(key.Device));
        writer.WriteText(NameOf(key.Sensor));
        writer.WriteTimestamp(row.WindowStart);
        writer.WriteTimestamp(row.WindowEnd);
        writer.WriteInt64(row.Count);
        writer.WriteDouble(row.Sum);
        writer.WriteDouble(row.Min);
        writer.WriteDouble(row.Max);
        writer.WriteDouble(row.Mean);
        writer.WriteDouble(row.Variance);
        writer.WriteDouble(row.P50);
        writer.WriteDouble(row.P95);
        writer.WriteDouble(row.P99);
        writer.WriteBoolean(row.IsUpdate);
    }

    // SymbolTable.NameOf returns the interned string (no allocation). A key that is not a pair of this
    // table's symbols is written as its number rather than failing the pipeline (as the DuckDB window sink does).
    private string NameOf(Symbol symbol) =>
        (uint)symbol.Id <= (uint)_symbols.Count ? _symbols.NameOf(symbol) : "#" + symbol.Id.ToString(CultureInfo.InvariantCulture);
}
