using Parquet;
using Parquet.Schema;
using Platform.Sinks.Warehouse;

namespace Platform.Sinks.Parquet;

/// <summary>
/// One column's buffered values, kept as a typed array (nullable columns as <c>T?[]</c>, text as <c>string?[]</c>)
/// so a row group is written straight from it as <see cref="ReadOnlyMemory{T}"/> slices; storage is kept between
/// row groups. <see cref="Reorder"/> permutes the values so each partition's rows are one slice.
/// </summary>
internal abstract class ParquetColumnBuffer
{
    public abstract DataField Field { get; }

    public abstract void EnsureCapacity(int capacity);

    public abstract void AddNull(int row);

    /// <summary>Rearranges the first <paramref name="count"/> values so that value i becomes old value <c>order[i]</c>.</summary>
    public abstract void Reorder(ReadOnlySpan<int> order, int count);

    public abstract Task WriteAsync(ParquetRowGroupWriter rowGroup, int start, int count, CancellationToken cancellationToken);

    public abstract void Clear(int count);

    public static ParquetColumnBuffer Create(TableColumn column, int capacity) => column.Type switch
    {
        ColumnType.Text => new TextColumn(new DataField<string>(column.Name, column.Nullable), capacity),
        ColumnType.Boolean => ValueColumn<bool>.Create(column, new DataField(column.Name, typeof(bool), column.Nullable), capacity),
        ColumnType.Int32 => ValueColumn<int>.Create(column, new DataField(column.Name, typeof(int), column.Nullable), capacity),
        ColumnType.Int64 => ValueColumn<long>.Create(column, new DataField(column.Name, typeof(long), column.Nullable), capacity),
        ColumnType.Double => ValueColumn<double>.Create(column, new DataField(column.Name, typeof(double), column.Nullable), capacity),
        ColumnType.Timestamp => ValueColumn<DateTime>.Create(column, new DateTimeDataField(column.Name, DateTimeFormat.Timestamp, isAdjustedToUTC: true, unit: DateTimeTimeUnit.Millis, isNullable: column.Nullable), capacity),
        _ => throw new ArgumentOutOfRangeException(nameof(column), column.Type, null),
    };
}

/// <summary>A text column.</summary>
internal sealed class TextColumn(DataField field, int capacity) : ParquetColumnBuffer
{
    private string?[] _values = new string?[capacity];
    private string?[] _scratch = [];

    public override DataField Field { get; } = field;

    public void Add(int row, string value) => _values[row] = value;

    public override void AddNull(int row) => _values[row] = null;

    public override void EnsureCapacity(int capacity)
    {
        if (_values.Length < capacity) Array.Resize(ref _values, Math.Max(capacity, _values.Length * 2));
    }

    public override void Reorder(ReadOnlySpan<int> order, int count)
    {
        if (_scratch.Length < _values.Length) _scratch = new string?[_values.Length];
        for (var i = 0; i < count; i++) _scratch[i] = _values[order[i]];
        (_values, _scratch) = (_scratch, _values);
    }

    public override Task WriteAsync(ParquetRowGroupWriter rowGroup, int start, int count, CancellationToken cancellationToken) =>
        rowGroup.WriteAsync(Field, new ArraySegment<string>(_values!, start, count));

    public override void Clear(int count)
    {
        Array.Clear(_values, 0, count);
        Array.Clear(_scratch);
    }
}

/// <summary>A column of a value type: <typeparamref name="T"/>[] when required, <typeparamref name="T"/>?[] when nullable.</summary>
internal abstract class ValueColumn<T> : ParquetColumnBuffer where T : struct
{
    public abstract void Add(int row, T value);

    public static ParquetColumnBuffer Create(TableColumn column, DataField field, int capacity) =>
        column.Nullable ? new NullableValues(field, capacity) : new RequiredValues(field, capacity);

    private sealed class RequiredValues(DataField field, int capacity) : ValueColumn<T>
    {
        private T[] _values = new T[capacity];
        private T[] _scratch = [];

        public override DataField Field { get; } = field;

        public override void Add(int row, T value) => _values[row] = value;

        public override void AddNull(int row) => throw new InvalidOperationException($"Column '{Field.Name}' is not nullable.");

        public override void EnsureCapacity(int capacity)
        {
            if (_values.Length < capacity) Array.Resize(ref _values, Math.Max(capacity, _values.Length * 2));
        }

        public override void Reorder(ReadOnlySpan<int> order, int count)
        {
            if (_scratch.Length < _values.Length) _scratch = new T[_values.Length];
            for (var i = 0; i < count; i++) _scratch[i] = _values[order[i]];
            (_values, _scratch) = (_scratch, _values);
        }

        public override Task WriteAsync(ParquetRowGroupWriter rowGroup, int start, int count, CancellationToken cancellationToken) =>
            rowGroup.WriteAsync<T>(Field, new ReadOnlyMemory<T>(_values, start, count), null, null, cancellationToken);

        public override void Clear(int count)
        {
        }
    }

    private sealed class NullableValues(DataField field, int capacity) : ValueColumn<T>
    {
        private T?[] _values = new T?[capacity];
        private T?[] _scratch = [];

        public override DataField Field { get; } = field;

        public override void Add(int row, T value) => _values[row] = value;

        public override void AddNull(int row) => _values[row] = null;

        public override void EnsureCapacity(int capacity)
        {
            if (_values.Length < capacity) Array.Resize(ref _values, Math.Max(capacity, _values.Length * 2));
        }

        public override void Reorder(ReadOnlySpan<int> order, int count)
        {
            if (_scratch.Length < _values.Length) _scratch = new T?[_values.Length];
            for (var i = 0; i < count; i++) _scratch[i] = _values[order[i]];
            (_values, _scratch) = (_scratch, _values);
        }

        public override Task WriteAsync(ParquetRowGroupWriter rowGroup, int start, int count, CancellationToken cancellationToken) =>
            rowGroup.WriteAsync<T>(Field, new ReadOnlyMemory<T?>(_values, start, count), null, null, cancellationToken);

        public override void Clear(int count)
        {
        }
    }
}
