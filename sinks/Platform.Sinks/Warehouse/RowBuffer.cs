namespace Platform.Sinks.Warehouse;

/// <summary>
/// Records kept by a sink until they are written: a growable array of structs that keeps its storage
/// after <see cref="Clear"/>, so the steady state allocates nothing. The sink's copy, because a
/// <c>Batch&lt;T&gt;</c> returns to its pool when <c>WriteAsync</c> completes.
/// </summary>
internal sealed class RowBuffer<TRow>(int initialCapacity)
{
    private TRow[] _items = new TRow[Math.Max(16, initialCapacity)];

    /// <summary>Rows held.</summary>
    public int Count { get; private set; }

    /// <summary>The rows held.</summary>
    public ReadOnlySpan<TRow> Items => _items.AsSpan(0, Count);

    /// <summary>Copies <paramref name="rows"/> in, growing when needed.</summary>
    public void Add(ReadOnlySpan<TRow> rows)
    {
        if (Count + rows.Length > _items.Length)
        {
            var capacity = _items.Length;
            while (capacity < Count + rows.Length) capacity *= 2;
            Array.Resize(ref _items, capacity);
        }
        rows.CopyTo(_items.AsSpan(Count));
        Count += rows.Length;
    }

    /// <summary>Forgets the rows, keeping the storage (references are cleared so strings can be collected).</summary>
    public void Clear()
    {
        if (System.Runtime.CompilerServices.RuntimeHelpers.IsReferenceOrContainsReferences<TRow>()) Array.Clear(_items, 0, Count);
        Count = 0;
    }
}
