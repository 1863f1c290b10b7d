using Platform.Sinks.Warehouse;

namespace Platform.Sinks.Parquet;

/// <summary>Writes a mapping's values into the column buffers, checking them against the schema, and notes the row's partition.</summary>
internal struct ParquetRowWriter(ParquetRowBuffer buffer) : IRowWriter
{
    private ColumnCursor _cursor = new(buffer.Schema);
    private int _row;

    public void StartRow() => _row = buffer.StartRow();

    public void WriteText(string? value)
    {
        if (value is null)
        {
            WriteNull();
            return;
        }
        buffer.Column<TextColumn>(_cursor.Next(ColumnType.Text)).Add(_row, value);
    }

    public void WriteBoolean(bool value) => buffer.Column<ValueColumn<bool>>(_cursor.Next(ColumnType.Boolean)).Add(_row, value);

    public void WriteInt32(int value) => buffer.Column<ValueColumn<int>>(_cursor.Next(ColumnType.Int32)).Add(_row, value);

    public void WriteInt64(long value) => buffer.Column<ValueColumn<long>>(_cursor.Next(ColumnType.Int64)).Add(_row, value);

    public void WriteDouble(double value) => buffer.Column<ValueColumn<double>>(_cursor.Next(ColumnType.Double)).Add(_row, value);

    public void WriteTimestamp(long unixMs)
    {
        var index = _cursor.Next(ColumnType.Timestamp);
        buffer.Column<ValueColumn<DateTime>>(index).Add(_row, DateTime.UnixEpoch.AddTicks(unixMs * TimeSpan.TicksPerMillisecond));
        if (index == buffer.PartitionIndex) buffer.SetHour(_row, unixMs);
    }

    public void WriteNull() => buffer.Columns[_cursor.NextNull()].AddNull(_row);

    public void EndRow()
    {
        _cursor.EndRow();
        buffer.EndRow();
    }
}
