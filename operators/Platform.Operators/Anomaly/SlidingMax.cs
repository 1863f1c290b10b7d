namespace Platform.Operators.Anomaly;

/// <summary>
/// Maximum of the last <c>capacity</c> values (monotonic deque in a ring): O(1) amortised per value,
/// no allocation after construction.
/// </summary>
internal sealed class SlidingMax
{
    private readonly double[] _values;
    private readonly long[] _index;
    private int _head;
    private int _count;
    private long _next;

    public SlidingMax(int capacity)
    {
        _values = new double[capacity];
        _index = new long[capacity];
    }

    /// <summary>Max of the window, or −∞ when empty.</summary>
    public double Max => _count == 0 ? double.NegativeInfinity : _values[_head];

    public void Add(double value)
    {
        var cap = _values.Length;
        // Drop the front when it leaves the window.
        if (_count > 0 && _index[_head] <= _next - cap)
        {
            _head = (_head + 1) % cap;
            _count--;
        }
        // Drop smaller values from the back: they can never be the max again.
        while (_count > 0 && _values[(_head + _count - 1) % cap] <= value) _count--;
        var at = (_head + _count) % cap;
        _values[at] = value;
        _index[at] = _next++;
        _count++;
    }

    public void Write(StateWriter w)
    {
        w.Int(_head);
        w.Int(_count);
        w.Long(_next);
        w.Doubles(_values);
        w.Int(_index.Length);
        foreach (var i in _index) w.Long(i);
    }

    public void Read(ref StateReader r)
    {
        _head = r.Int();
        _count = r.Int();
        _next = r.Long();
        r.Doubles(_values);
        if (r.Int() != _index.Length || _head < 0 || _head >= _values.Length || _count < 0 || _count > _values.Length)
            throw new InvalidDataException("Bad sliding-max state.");
        for (var i = 0; i < _index.Length; i++) _index[i] = r.Long();
    }
}
