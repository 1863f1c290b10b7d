namespace Platform.Operators.Anomaly;

/// <summary>A record waiting for the watermark to pass its event time.</summary>
internal struct PendingPoint
{
    public long Key;
    public long Time;
    public long Sequence;
    public double Value;
    public double X, Y, Z;
    public bool HasAxes;
}

/// <summary>Binary min-heap of pending points by (time, arrival sequence). Grows by doubling, never shrinks.</summary>
internal sealed class PendingHeap
{
    private PendingPoint[] _items = new PendingPoint[256];

    public int Count { get; private set; }

    public ref readonly PendingPoint Peek() => ref _items[0];

    public ReadOnlySpan<PendingPoint> Items => _items.AsSpan(0, Count);

    public void Push(in PendingPoint p)
    {
        if (Count == _items.Length) Array.Resize(ref _items, _items.Length * 2);
        var i = Count++;
        while (i > 0)
        {
            var parent = (i - 1) >> 1;
            if (!Less(p, _items[parent])) break;
            _items[i] = _items[parent];
            i = parent;
        }
        _items[i] = p;
    }

    public PendingPoint Pop()
    {
        var top = _items[0];
        var last = _items[--Count];
        var i = 0;
        while (true)
        {
            var child = 2 * i + 1;
            if (child >= Count) break;
            if (child + 1 < Count && Less(_items[child + 1], _items[child])) child++;
            if (!Less(_items[child], last)) break;
            _items[i] = _items[child];
            i = child;
        }
        if (Count > 0) _items[i] = last;
        return top;
    }

    public void Clear() => Count = 0;

    private static bool Less(in PendingPoint a, in PendingPoint b) =>
        a.Time < b.Time || (a.Time == b.Time && a.Sequence < b.Sequence);
}
