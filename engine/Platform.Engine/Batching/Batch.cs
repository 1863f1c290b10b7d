namespace Platform.Engine.Batching;

/// <summary>
/// A pooled, growable run of struct records plus the watermark that holds after them.
/// Batches, not records, cross threads. The receiver returns a batch with <see cref="Dispose"/>.
/// </summary>
public sealed class Batch<T> : IDisposable
{
    private readonly BatchPool<T>? _pool;
    private T[] _items;

    internal Batch(BatchPool<T>? pool, int capacity)
    {
        _pool = pool;
        _items = new T[capacity];
    }

    /// <summary>Records in the batch.</summary>
    public int Count { get; private set; }

    /// <summary>Capacity before <see cref="Add"/> grows the batch.</summary>
    public int Capacity => _items.Length;

    /// <summary>True when <see cref="Count"/> reached <see cref="Capacity"/>.</summary>
    public bool IsFull => Count == _items.Length;

    /// <summary>Event-time watermark (Unix ms) that holds once this batch is processed; <see cref="long.MinValue"/> when unknown.</summary>
    public long Watermark { get; set; } = long.MinValue;

    /// <summary>The records.</summary>
    public Span<T> Span => _items.AsSpan(0, Count);

    /// <summary>The records, read-only.</summary>
    public ReadOnlySpan<T> Items => _items.AsSpan(0, Count);

    /// <summary>Appends a record, growing the batch if needed.</summary>
    public void Add(in T item)
    {
        if (Count == _items.Length) Array.Resize(ref _items, _items.Length * 2);
        _items[Count++] = item;
    }

    /// <summary>Reserves the next slot and returns it by reference, for writing a record in place.</summary>
    public ref T AddSlot()
    {
        if (Count == _items.Length) Array.Resize(ref _items, _items.Length * 2);
        return ref _items[Count++];
    }

    /// <summary>Removes the last reserved slot (a record that turned out malformed).</summary>
    public void RemoveLast() => Count--;

    /// <summary>Empties the batch, keeping its storage.</summary>
    public void Clear()
    {
        Count = 0;
        Watermark = long.MinValue;
    }

    /// <summary>Returns the batch to its pool.</summary>
    public void Dispose()
    {
        Clear();
        _pool?.Return(this);
    }
}
