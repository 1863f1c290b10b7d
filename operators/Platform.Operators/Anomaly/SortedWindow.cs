using Platform.Engine.Checkpoints;

namespace Platform.Operators.Anomaly;

/// <summary>
/// The last <c>capacity</c> values, kept both in arrival order (a ring) and sorted, for order
/// statistics over a sliding window: insertion is a binary search plus a block move of at most
/// <c>capacity</c> doubles (a memmove, constant for the bounded windows used here); median, quantiles
/// and ranks are O(log n). No allocation after construction.
/// </summary>
internal sealed class SortedWindow
{
    private readonly double[] _ring;
    private readonly double[] _sorted;
    private int _head;
    private int _count;

    public SortedWindow(int capacity)
    {
        _ring = new double[capacity];
        _sorted = new double[capacity];
    }

    public int Count => _count;
    public int Capacity => _ring.Length;
    public bool IsFull => _count == _ring.Length;

    public void Add(double value)
    {
        if (double.IsNaN(value)) return;
        if (_count == _ring.Length)
        {
            var old = _ring[_head];
            var at = Array.BinarySearch(_sorted, 0, _count, old);
            if (at < 0) at = ~at; // cannot happen, defensive
            Array.Copy(_sorted, at + 1, _sorted, at, _count - at - 1);
            _count--;
        }
        var pos = Array.BinarySearch(_sorted, 0, _count, value);
        if (pos < 0) pos = ~pos;
        Array.Copy(_sorted, pos, _sorted, pos + 1, _count - pos);
        _sorted[pos] = value;
        _count++;
        _ring[_head] = value;
        _head = (_head + 1) % _ring.Length;
    }

    /// <summary>The q-quantile (linear interpolation), q in [0, 1].</summary>
    public double Quantile(double q)
    {
        if (_count == 0) return 0;
        var x = q * (_count - 1);
        var i = (int)x;
        if (i >= _count - 1) return _sorted[_count - 1];
        return _sorted[i] + (x - i) * (_sorted[i + 1] - _sorted[i]);
    }

    public double Median => Quantile(0.5);

    /// <summary>Median absolute deviation from <paramref name="median"/>: walks outward from the median, O(n/2).</summary>
    public double Mad(double median)
    {
        if (_count == 0) return 0;
        var hi = Array.BinarySearch(_sorted, 0, _count, median);
        if (hi < 0) hi = ~hi;
        var lo = hi - 1;
        var need = (_count + 1) / 2;
        var d = 0.0;
        for (var k = 0; k < need; k++)
        {
            var dl = lo >= 0 ? median - _sorted[lo] : double.PositiveInfinity;
            var dh = hi < _count ? _sorted[hi] - median : double.PositiveInfinity;
            if (dl <= dh) { d = dl; lo--; }
            else { d = dh; hi++; }
        }
        return d;
    }

    /// <summary>Fraction of values strictly below <paramref name="value"/> plus half of those equal, in [0, 1].</summary>
    public double Rank(double value)
    {
        if (_count == 0) return 0.5;
        var lo = LowerBound(value);
        var hi = UpperBound(value);
        return (lo + 0.5 * (hi - lo)) / _count;
    }

    private int LowerBound(double v)
    {
        int a = 0, b = _count;
        while (a < b)
        {
            var m = (a + b) >>> 1;
            if (_sorted[m] < v) a = m + 1; else b = m;
        }
        return a;
    }

    private int UpperBound(double v)
    {
        int a = 0, b = _count;
        while (a < b)
        {
            var m = (a + b) >>> 1;
            if (_sorted[m] <= v) a = m + 1; else b = m;
        }
        return a;
    }

    public void Write(SnapshotWriter w)
    {
        w.I32(_head);
        w.I32(_count);
        w.F64s(_ring);
    }

    public void Read(ref SnapshotReader r)
    {
        var head = r.I32();
        var count = r.I32();
        Span<double> ring = _ring;
        r.F64s(ring);
        if (count < 0 || count > _ring.Length || head < 0 || head >= _ring.Length) throw new InvalidDataException("Bad sorted-window state.");
        _head = head;
        _count = count;
        var start = (head - count + _ring.Length) % _ring.Length;
        for (var i = 0; i < count; i++) _sorted[i] = _ring[(start + i) % _ring.Length];
        Array.Sort(_sorted, 0, count);
    }
}
