using System.Diagnostics.CodeAnalysis;

namespace Platform.Sinks.Warehouse;

/// <summary>
/// Checks a mapping's calls against the schema as a row is written: the next column's type, nulls only
/// where allowed, and the count at the end of the row. Shared by every sink's row writer; an array read
/// and a compare per value.
/// </summary>
internal struct ColumnCursor(TableSchema schema)
{
    private readonly ColumnType[] _types = schema.Types;
    private readonly bool[] _nullable = schema.NullableFlags;
    private readonly TableSchema _schema = schema;
    private int _next;

    /// <summary>The index of the column the next value goes to.</summary>
    public readonly int Position => _next;

    /// <summary>Moves past the next column, which must have type <paramref name="type"/>; returns its index.</summary>
    public int Next(ColumnType type)
    {
        var i = _next;
        if ((uint)i >= (uint)_types.Length || _types[i] != type) ThrowMismatch(i, type.ToString());
        _next = i + 1;
        return i;
    }

    /// <summary>Moves past the next column, which must be nullable; returns its index.</summary>
    public int NextNull()
    {
        var i = _next;
        if ((uint)i >= (uint)_types.Length || !_nullable[i]) ThrowMismatch(i, "null");
        _next = i + 1;
        return i;
    }

    /// <summary>Checks that every column got a value and starts the next row.</summary>
    public void EndRow()
    {
        if (_next != _types.Length) ThrowMismatch(_next, "end of row");
        _next = 0;
    }

    [DoesNotReturn]
    private readonly void ThrowMismatch(int index, string written)
    {
        var expected = index < _types.Length
            ? $"column '{_schema.Columns[index].Name}' ({_types[index]}{(_nullable[index] ? ", nullable" : "")})"
            : "no more columns";
        throw new InvalidOperationException($"Table '{_schema.Name}': the mapping wrote {written} at position {index}, where the schema has {expected}.");
    }
}
