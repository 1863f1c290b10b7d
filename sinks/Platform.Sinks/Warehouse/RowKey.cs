namespace Platform.Sinks.Warehouse;

/// <summary>
/// The key of one row as the table compares it: up to <see cref="MaxColumns"/> key values (text compared
/// ordinally, numbers by value — -0.0 is 0.0 and every NaN is one NaN, as PostgreSQL and DuckDB compare them)
/// and a hash of all of them. Built by <see cref="RowKeyWriter"/> from a mapping's ordinary <c>Write</c>, so a
/// sink learns a row's key without the mapping having to expose it. Holds references to the row's existing
/// strings; allocates nothing.
/// </summary>
internal readonly struct RowKey : IEquatable<RowKey>
{
    /// <summary>Key columns a key holds; a table with more keys is not collapsed by key in the client.</summary>
    public const int MaxColumns = 4;

    private readonly string? _text0, _text1, _text2, _text3;
    private readonly long _number0, _number1, _number2, _number3;

    public RowKey(int hash, string? text0, string? text1, string? text2, string? text3, long number0, long number1, long number2, long number3)
    {
        Hash = hash;
        (_text0, _text1, _text2, _text3) = (text0, text1, text2, text3);
        (_number0, _number1, _number2, _number3) = (number0, number1, number2, number3);
    }

    /// <summary>Hash of every key column (also of those beyond <see cref="MaxColumns"/>); stable within the process.</summary>
    public int Hash { get; }

    public bool Equals(RowKey other) =>
        Hash == other.Hash
        && _number0 == other._number0 && _number1 == other._number1 && _number2 == other._number2 && _number3 == other._number3
        && string.Equals(_text0, other._text0, StringComparison.Ordinal) && string.Equals(_text1, other._text1, StringComparison.Ordinal)
        && string.Equals(_text2, other._text2, StringComparison.Ordinal) && string.Equals(_text3, other._text3, StringComparison.Ordinal);

    public override bool Equals(object? obj) => obj is RowKey other && Equals(other);

    public override int GetHashCode() => Hash;
}

/// <summary>Which columns of a schema are key columns (and in which slot of a <see cref="RowKey"/>) and which is the version; built once per sink.</summary>
internal sealed class RowKeyLayout
{
    public RowKeyLayout(TableSchema schema)
    {
        Schema = schema;
        Slots = [.. Enumerable.Repeat(-1, schema.Columns.Count)];
        var slot = 0;
        for (var i = 0; i < schema.Columns.Count; i++)
        {
            if (schema.IsKey(i)) Slots[i] = slot++;
        }
        Collapsible = slot <= RowKey.MaxColumns;
    }

    public TableSchema Schema { get; }

    /// <summary>Per column: its slot among the key columns (in column order), or -1.</summary>
    public int[] Slots { get; }

    /// <summary>True when every key column fits in a <see cref="RowKey"/>, so equal keys can be found exactly.</summary>
    public bool Collapsible { get; }
}

/// <summary>
/// An <see cref="IRowWriter"/> that keeps only what identifies a row: its key values (into a <see cref="RowKey"/>)
/// and its version (when the schema has a version column). Checks the values against the schema like the sinks'
/// own writers, so a mapping error surfaces here with the same message.
/// </summary>
internal struct RowKeyWriter(RowKeyLayout layout) : IRowWriter
{
    private ColumnCursor _cursor = new(layout.Schema);
    private HashCode _hash;
    private string? _text0, _text1, _text2, _text3;
    private long _number0, _number1, _number2, _number3;

    /// <summary>True when the row's version column holds a value.</summary>
    public bool HasVersion { get; private set; }

    /// <summary>The row's version (Int64 or Unix ms), when <see cref="HasVersion"/>.</summary>
    public long Version { get; private set; }

    /// <summary>Checks the row was complete and returns its key.</summary>
    public RowKey Finish()
    {
        _cursor.EndRow();
        return new RowKey(_hash.ToHashCode(), _text0, _text1, _text2, _text3, _number0, _number1, _number2, _number3);
    }

    public void WriteText(string? value)
    {
        if (value is null)
        {
            WriteNull();
            return;
        }
        var slot = layout.Slots[_cursor.Next(ColumnType.Text)];
        if (slot < 0) return;
        _hash.Add(string.GetHashCode(value, StringComparison.Ordinal));
        switch (slot)
        {
            case 0: _text0 = value; break;
            case 1: _text1 = value; break;
            case 2: _text2 = value; break;
            case 3: _text3 = value; break;
        }
    }

    public void WriteBoolean(bool value) => Number(_cursor.Next(ColumnType.Boolean), value ? 1 : 0);

    public void WriteInt32(int value) => Number(_cursor.Next(ColumnType.Int32), value);

    public void WriteInt64(long value) => Number(_cursor.Next(ColumnType.Int64), value);

    public void WriteDouble(double value)
    {
        // Equal as the database compares them: -0.0 = 0.0, NaN = NaN.
        var canonical = value == 0 ? 0.0 : double.IsNaN(value) ? double.NaN : value;
        Number(_cursor.Next(ColumnType.Double), BitConverter.DoubleToInt64Bits(canonical));
    }

    public void WriteTimestamp(long unixMs) => Number(_cursor.Next(ColumnType.Timestamp), unixMs);

    public void WriteNull() => _cursor.NextNull(); // key columns are never nullable; a null version is "no version"

    private void Number(int column, long value)
    {
        if (column == layout.Schema.VersionIndex)
        {
            HasVersion = true;
            Version = value;
            return;
        }
        var slot = layout.Slots[column];
        if (slot < 0) return;
        _hash.Add(value);
        switch (slot)
        {
            case 0: _number0 = value; break;
            case 1: _number1 = value; break;
            case 2: _number2 = value; break;
            case 3: _number3 = value; break;
        }
    }
}
