using System.Runtime.CompilerServices;
using Platform.Sinks.Warehouse;

namespace Platform.Sinks.Parquet;

/// <summary>
/// Rows buffered for the next row groups, column by column, plus each row's partition (its UTC hour since the
/// epoch, from the partition column). <see cref="SortByPartition"/> makes each partition's rows one slice.
/// </summary>
internal sealed class ParquetRowBuffer
{
    private long[] _hours;
    private int[] _order = [];
    private long[] _sortKeys = [];

    public ParquetRowBuffer(TableSchema schema, int partitionIndex, int capacity)
    {
        Schema = schema;
        PartitionIndex = partitionIndex;
        Columns = [.. schema.Columns.Select(c => ParquetColumnBuffer.Create(c, capacity))];
        _hours = new long[capacity];
    }

    public TableSchema Schema { get; }

    public int PartitionIndex { get; }

    public ParquetColumnBuffer[] Columns { get; }

    public int Count { get; private set; }

    public ReadOnlySpan<long> Hours => _hours.AsSpan(0, Count);

    /// <summary>Makes room for one more row; returns its index.</summary>
    public int StartRow()
    {
        if (Count == _hours.Length)
        {
            var capacity = _hours.Length * 2;
            Array.Resize(ref _hours, capacity);
            foreach (var c in Columns) c.EnsureCapacity(capacity);
        }
        return Count;
    }

    public void EndRow() => Count++;

    public void SetHour(int row, long unixMs) => _hours[row] = unixMs >= 0 ? unixMs / MsPerHour : (unixMs - (MsPerHour - 1)) / MsPerHour;

    private const long MsPerHour = 3_600_000L;

    /// <summary>Orders rows by partition, keeping arrival order within one (no-op when already ordered).</summary>
    public void SortByPartition()
    {
        var hours = Hours;
        var sorted = true;
        for (var i = 1; i < hours.Length && sorted; i++) sorted = hours[i - 1] <= hours[i];
        if (sorted) return;
        if (_order.Length < Count)
        {
            _order = new int[_hours.Length];
            _sortKeys = new long[_hours.Length];
        }
        var order = _order.AsSpan(0, Count);
        var keys = _sortKeys.AsSpan(0, Count);
        for (var i = 0; i < Count; i++)
        {
            order[i] = i;
            keys[i] = hours[i];
        }
        // Sorting (hour, index) pairs by hour alone is not stable; index breaks ties after the sort below.
        keys.Sort(order);
        for (var start = 0; start < Count;)
        {
            var end = start + 1;
            while (end < Count && keys[end] == keys[start]) end++;
            order[start..end].Sort();
            start = end;
        }
        foreach (var c in Columns) c.Reorder(order, Count);
        keys.CopyTo(_hours);
    }

    public void Clear()
    {
        foreach (var c in Columns) c.Clear(Count);
        Count = 0;
    }

    /// <summary>The typed column at <paramref name="index"/>; the row writer's cursor has already checked its type.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public T Column<T>(int index) where T : ParquetColumnBuffer => Unsafe.As<T>(Columns[index]);
}
