using DuckDB.NET.Data;
using Platform.Sinks.Warehouse;

namespace Platform.Sinks.DuckDb;

/// <summary>Writes a mapping's values into a DuckDB appender row, checking them against the schema.</summary>
internal struct DuckDbAppenderRowWriter(TableSchema schema) : IRowWriter
{
    private ColumnCursor _cursor = new(schema);
    private IDuckDBAppenderRow? _row;

    public void StartRow(DuckDBAppender appender) => _row = appender.CreateRow();

    public void WriteText(string? value)
    {
        if (value is null)
        {
            WriteNull();
            return;
        }
        _cursor.Next(ColumnType.Text);
        _row!.AppendValue(value);
    }

    public void WriteBoolean(bool value)
    {
        _cursor.Next(ColumnType.Boolean);
        _row!.AppendValue((bool?)value);
    }

    public void WriteInt32(int value)
    {
        _cursor.Next(ColumnType.Int32);
        _row!.AppendValue((int?)value);
    }

    public void WriteInt64(long value)
    {
        _cursor.Next(ColumnType.Int64);
        _row!.AppendValue((long?)value);
    }

    public void WriteDouble(double value)
    {
        _cursor.Next(ColumnType.Double);
        _row!.AppendValue((double?)value);
    }

    public void WriteTimestamp(long unixMs)
    {
        _cursor.Next(ColumnType.Timestamp);
        _row!.AppendValue((DateTime?)DateTime.UnixEpoch.AddTicks(unixMs * TimeSpan.TicksPerMillisecond));
    }

    public void WriteNull()
    {
        _cursor.NextNull();
        _row!.AppendNullValue();
    }

    /// <summary>Checks the row is complete, appends the staging sequence number that orders duplicates, and ends the row.</summary>
    public void EndRow(long sequence)
    {
        _cursor.EndRow();
        _row!.AppendValue((long?)sequence).EndRow();
        _row = null;
    }

    /// <summary>Checks the row is complete and ends it (a row written straight into the table, not staged).</summary>
    public void EndRow()
    {
        _cursor.EndRow();
        _row!.EndRow();
        _row = null;
    }
}
