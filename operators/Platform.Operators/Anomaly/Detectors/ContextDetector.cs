using Platform.Engine.Checkpoints;

namespace Platform.Operators.Anomaly.Detectors;

/// <summary>
/// Contextual anomaly detector after the published description of CAD OSE (Smirnov; NAB 2016).
/// Each value is quantised into 2^bits − 1 bins of the range learned so far and written as facts, one per
/// bit of its bin number. A context pairs a left semi-context (the previous step's facts plus the
/// contexts that were active then, which carries longer history) with a right semi-context (the current
/// facts). Contexts whose left side matched the previous step are expected; the score mixes the share of
/// expected contexts that did not come true with the share of really new contexts among the candidates
/// formed by crossing partial matches: (1 − active/expected + new/candidates) / 2. After a score at or
/// above <see cref="BaseLevel"/>, the detector reports 0 for a rest period, so one event reports once;
/// it also reports 0 for its first <c>quiet</c> points, while its contexts cover only a few cycles.
/// <para>
/// Streaming: the range is the min and max of the first <c>learn</c> points widened by a headroom on
/// each side, grown (never shrunk) when a later value leaves it — so bins rarely move. Bounded: at most
/// <c>capacity</c> contexts; when full, the least used half is forgotten (<see cref="Forget"/>), so
/// memory and per-point work (crossing the semi-contexts that share a fact) are bounded by the capacity.
/// </para>
/// </summary>
internal sealed class ContextDetector
{
    /// <summary>Score at or above which the rest period starts.</summary>
    public const double BaseLevel = 0.75;
    private const int MaxLeftFacts = 7;
    private const int MaxNeurons = 15;
    // Facts 0..61 are value bits (2 per bit), 62 the sign, 64+ an active context.
    private const int SignFact = 62;
    private const int NeuronBase = 64;

    private readonly int _bits;
    private readonly int _rest;
    private readonly int _quiet;
    private readonly int _learn;
    private readonly double _headroom;
    private readonly double _growth;
    private readonly int _capacity;

    private readonly Side _leftSide = new(hasContexts: true);
    private readonly Side _rightSide = new(hasContexts: false);
    private readonly List<Context> _contexts = [];
    private int _newContext = -1;
    private double _min;
    private double _max;
    private long _n;
    private int _sinceHigh;

    // Per-step scratch, reused.
    private readonly List<int> _active = [];
    private readonly List<(int[] Left, int[] Right)> _candidates = [];
    private readonly HashSet<ulong> _unique = [];
    private readonly int[] _sensor = new int[32];
    private int[] _left = new int[32];
    private int _leftLength;
    private readonly Comparison<int> _byUse;

    public ContextDetector(int bits, int rest, int quiet, int learn, double headroom, double growth, int capacity)
    {
        _bits = bits;
        _rest = rest;
        _quiet = quiet;
        _learn = learn;
        _headroom = headroom;
        _growth = growth;
        _capacity = capacity;
        _byUse = CompareUse;
    }

    /// <summary>Contexts held (for tests and sizing).</summary>
    public int ContextCount => _contexts.Count;

    public double Update(double value)
    {
        if (double.IsNaN(value)) return 0;
        Learn(value);
        var (expectedActive, added) = Step(Facts(value));
        var current = (1.0 - expectedActive + added) / 2.0;
        var reported = _sinceHigh >= _rest && _n > _quiet ? current : 0.0;
        _sinceHigh = current >= BaseLevel ? 0 : _sinceHigh + 1;
        return reported;
    }

    private void Learn(double value)
    {
        if (_n < _learn)
        {
            if (_n == 0) _min = _max = value;
            _min = Math.Min(_min, value);
            _max = Math.Max(_max, value);
            if (_n == _learn - 1)
            {
                var r = _max - _min;
                _max += r * _headroom;
                _min -= r * _headroom;
            }
        }
        else if (value > _max || value < _min)
        {
            var r = Math.Max(_max - _min, 1e-9);
            if (value > _max) _max = Math.Max(value, _max + r * _growth);
            if (value < _min) _min = Math.Min(value, _min - r * _growth);
        }
        _n++;
    }

    /// <summary>The value's bin number as facts: bit i is fact 2i + bit; a bin below the range adds the sign fact.</summary>
    private ReadOnlySpan<int> Facts(double value)
    {
        var levels = (1 << _bits) - 1.0;
        var range = _max - _min;
        var step = (range > 0 ? range : levels) / levels;
        var bin = Math.Clamp(Math.Floor((value - _min) / step), -(1L << 30), 1L << 30);
        var magnitude = (long)Math.Abs(bin);
        var width = Math.Max(_bits, 64 - System.Numerics.BitOperations.LeadingZeroCount((ulong)magnitude));
        var n = 0;
        for (var i = 0; i < width; i++) _sensor[n++] = i * 2 + (int)((magnitude >> i) & 1);
        if (bin < 0) _sensor[n++] = SignFact;
        return _sensor.AsSpan(0, n);
    }

    private (double ExpectedActive, double Added) Step(ReadOnlySpan<int> sensor)
    {
        _unique.Clear();
        var isNew = false;
        var previous = _left.AsSpan(0, _leftLength);
        if (previous.Length > 0)
        {
            _unique.Add(PairHash(previous, sensor));
            isNew = AddZeroLevel(previous, sensor);
        }
        _rightSide.Cross(sensor);
        var expected = Activate(isNew);
        foreach (var (l, r) in _candidates) _unique.Add(PairHash(l, r));
        var expectedActive = expected > 0 ? _active.Count / (double)expected : 0.0;

        // The next left side: this step's facts and the most used of the contexts active now.
        _active.Sort(_byUse);
        var from = Math.Max(0, _active.Count - MaxNeurons);
        _leftLength = sensor.Length + _active.Count - from;
        if (_left.Length < _leftLength) _left = new int[_leftLength * 2];
        sensor.CopyTo(_left);
        for (var i = from; i < _active.Count; i++) _left[sensor.Length + i - from] = NeuronBase + _active[i];
        _left.AsSpan(0, _leftLength).Sort();

        var added = isNew ? 1 : 0;
        foreach (var (l, r) in _candidates) if (AddContext(l, r)) added++;
        if (_contexts.Count >= _capacity) Forget();
        _leftSide.Cross(_left.AsSpan(0, _leftLength));
        return (expectedActive, isNew && _unique.Count > 0 ? added / (double)_unique.Count : 0.0);
    }

    private int CompareUse(int a, int b)
    {
        var x = _contexts[a];
        var y = _contexts[b];
        var k = x.Count.CompareTo(y.Count);
        if (k != 0) return k;
        k = _leftSide.Semis[x.Left].Hash.CompareTo(_leftSide.Semis[y.Left].Hash);
        return k != 0 ? k : _rightSide.Semis[x.Right].Hash.CompareTo(_rightSide.Semis[y.Right].Hash);
    }

    /// <summary>Stores the zero-level context (previous left facts → current facts); true when it is new.</summary>
    private bool AddZeroLevel(ReadOnlySpan<int> left, ReadOnlySpan<int> right)
    {
        var l = _leftSide.Semis[_leftSide.Get(left)];
        var ri = _rightSide.Get(right);
        if (l.Contexts!.TryGetValue(ri, out var id))
        {
            _contexts[id].Zero = true;
            return false;
        }
        _newContext = _contexts.Count;
        l.Contexts.Add(ri, _newContext);
        _contexts.Add(new Context { Left = l.Id, Right = ri, Zero = true });
        return true;
    }

    private bool AddContext(int[] left, int[] right)
    {
        var l = _leftSide.Semis[_leftSide.Get(left)];
        var ri = _rightSide.Get(right);
        if (l.Contexts!.ContainsKey(ri)) return false;
        l.Contexts.Add(ri, _contexts.Count);
        _contexts.Add(new Context { Left = l.Id, Right = ri });
        return true;
    }

    /// <summary>
    /// Walks the left semi-contexts the previous step crossed: a fully matched one makes its contexts
    /// expected, and those whose right side fully matches now are active; partial matches of zero-level
    /// contexts become candidate (more general) contexts when this step stored a new zero-level one.
    /// </summary>
    private int Activate(bool isNew)
    {
        _active.Clear();
        _candidates.Clear();
        var expected = 0;
        foreach (var li in _leftSide.Touched)
        {
            var l = _leftSide.Semis[li];
            var full = l.Crossed.Count == l.Facts.Length;
            var mayPropose = isNew && l.Crossed.Count <= MaxLeftFacts;
            foreach (var (ri, id) in l.Contexts!)
            {
                if (id == _newContext) continue;
                var c = _contexts[id];
                var r = _rightSide.Semis[ri];
                var crossed = r.Crossed.Count;
                if (full)
                {
                    expected++;
                    if (crossed == 0) continue;
                    if (crossed == r.Facts.Length)
                    {
                        c.Count++;
                        _active.Add(id);
                        continue;
                    }
                }
                else if (crossed == 0) continue;
                if (c.Zero && mayPropose) _candidates.Add(([.. l.Crossed], [.. r.Crossed]));
            }
        }
        _newContext = -1;
        return expected;
    }

    /// <summary>
    /// Keeps the half of the contexts that were active most often and rebuilds the semi-contexts around
    /// them; a fact naming a forgotten context is dropped from the left sides that held it.
    /// </summary>
    private void Forget()
    {
        var order = new int[_contexts.Count];
        for (var i = 0; i < order.Length; i++) order[i] = i;
        Array.Sort(order, (a, b) => _contexts[a].Count != _contexts[b].Count ? _contexts[b].Count.CompareTo(_contexts[a].Count) : a.CompareTo(b));
        var keep = _capacity / 2;
        var renamed = new Dictionary<int, int>(keep);
        for (var i = 0; i < keep; i++) renamed[order[i]] = i;
        var old = _contexts.ToArray();
        var oldLeft = _leftSide.Semis.Select(s => s.Facts).ToArray();
        var oldRight = _rightSide.Semis.Select(s => s.Facts).ToArray();
        _contexts.Clear();
        _leftSide.Clear();
        _rightSide.Clear();
        for (var i = 0; i < keep; i++)
        {
            var c = old[order[i]];
            var l = _leftSide.Semis[_leftSide.Get(Rename(oldLeft[c.Left], renamed))];
            var ri = _rightSide.Get(oldRight[c.Right]);
            if (l.Contexts!.TryGetValue(ri, out var existing))
            {
                _contexts[existing].Zero |= c.Zero;
                continue;
            }
            l.Contexts.Add(ri, _contexts.Count);
            _contexts.Add(new Context { Left = l.Id, Right = ri, Zero = c.Zero, Count = c.Count });
        }
        var left = Rename(_left.AsSpan(0, _leftLength), renamed);
        left.CopyTo(_left, 0);
        _leftLength = left.Length;
        _newContext = -1;
    }

    private static int[] Rename(ReadOnlySpan<int> facts, Dictionary<int, int> renamed)
    {
        var list = new List<int>(facts.Length);
        foreach (var f in facts)
        {
            if (f < NeuronBase) list.Add(f);
            else if (renamed.TryGetValue(f - NeuronBase, out var id)) list.Add(NeuronBase + id);
        }
        list.Sort();
        return [.. list];
    }

    private static ulong Hash(ReadOnlySpan<int> facts)
    {
        var h = 0xCBF29CE484222325UL ^ (ulong)facts.Length;
        foreach (var f in facts)
        {
            h ^= (uint)f;
            h *= 0x100000001B3UL;
            h ^= h >> 29;
        }
        return h * 0x9E3779B97F4A7C15UL;
    }

    private static ulong PairHash(ReadOnlySpan<int> left, ReadOnlySpan<int> right) => Hash(left) * 31 + (Hash(right) ^ 0x5555555555555555UL);

    public void Write(SnapshotWriter w)
    {
        w.F64(_min);
        w.F64(_max);
        w.I64(_n);
        w.I32(_sinceHigh);
        WriteFacts(w, _left.AsSpan(0, _leftLength));
        _leftSide.Write(w);
        _rightSide.Write(w);
        w.I32(_contexts.Count);
        foreach (var c in _contexts)
        {
            w.I32(c.Left);
            w.I32(c.Right);
            w.I32(c.Count);
            w.U8(c.Zero ? (byte)1 : (byte)0);
        }
    }

    public void Read(ref SnapshotReader r)
    {
        _min = r.F64();
        _max = r.F64();
        _n = r.I64();
        _sinceHigh = r.I32();
        var left = ReadFacts(ref r);
        if (_left.Length < left.Length) _left = new int[left.Length * 2];
        left.CopyTo(_left, 0);
        _leftLength = left.Length;
        _leftSide.Read(ref r);
        _rightSide.Read(ref r);
        _contexts.Clear();
        var count = r.I32();
        if (count < 0 || count > _capacity) throw new InvalidDataException("Bad context-detector state.");
        for (var i = 0; i < count; i++)
        {
            var c = new Context { Left = r.I32(), Right = r.I32(), Count = r.I32(), Zero = r.U8() != 0 };
            if ((uint)c.Left >= (uint)_leftSide.Semis.Count || (uint)c.Right >= (uint)_rightSide.Semis.Count) throw new InvalidDataException("Bad context-detector state.");
            _leftSide.Semis[c.Left].Contexts!.Add(c.Right, i);
            _contexts.Add(c);
        }
        _newContext = -1;
        _leftSide.Cross(_left.AsSpan(0, _leftLength));
    }

    private static void WriteFacts(SnapshotWriter w, ReadOnlySpan<int> facts)
    {
        w.I32(facts.Length);
        foreach (var f in facts) w.I32(f);
    }

    private static int[] ReadFacts(ref SnapshotReader r)
    {
        var n = r.I32();
        if (n is < 0 or > 4096) throw new InvalidDataException("Bad context-detector state.");
        var facts = new int[n];
        for (var i = 0; i < n; i++) facts[i] = r.I32();
        return facts;
    }

    private sealed class Context
    {
        public int Left;
        public int Right;
        public int Count;
        public bool Zero;
    }

    private sealed class Semi(int id, int[] facts, ulong hash, bool hasContexts)
    {
        public readonly int Id = id;
        public readonly int[] Facts = facts;
        public readonly ulong Hash = hash;
        public readonly List<int> Crossed = [];
        public readonly Dictionary<int, int>? Contexts = hasContexts ? [] : null;
    }

    /// <summary>One side's semi-contexts, an index from fact to the semi-contexts holding it, and the last crossing.</summary>
    private sealed class Side(bool hasContexts)
    {
        public readonly List<Semi> Semis = [];
        public readonly List<int> Touched = [];
        private readonly Dictionary<ulong, int> _byHash = [];
        private readonly Dictionary<int, List<int>> _byFact = [];

        /// <summary>The semi-context with these facts, created (with a copy of them) when new.</summary>
        public int Get(ReadOnlySpan<int> facts)
        {
            var h = Hash(facts);
            if (_byHash.TryGetValue(h, out var id)) return id;
            id = Semis.Count;
            _byHash.Add(h, id);
            Semis.Add(new Semi(id, facts.ToArray(), h, hasContexts));
            foreach (var f in facts)
            {
                if (!_byFact.TryGetValue(f, out var list)) _byFact[f] = list = [];
                list.Add(id);
            }
            return id;
        }

        /// <summary>For every semi-context sharing a fact with <paramref name="facts"/>, the facts it shares (in order).</summary>
        public void Cross(ReadOnlySpan<int> facts)
        {
            foreach (var id in Touched) Semis[id].Crossed.Clear();
            Touched.Clear();
            foreach (var f in facts)
            {
                if (!_byFact.TryGetValue(f, out var list)) continue;
                foreach (var id in list)
                {
                    var s = Semis[id];
                    if (s.Crossed.Count == 0) Touched.Add(id);
                    s.Crossed.Add(f);
                }
            }
            Touched.Sort();
        }

        public void Clear()
        {
            Semis.Clear();
            Touched.Clear();
            _byHash.Clear();
            _byFact.Clear();
        }

        public void Write(SnapshotWriter w)
        {
            w.I32(Semis.Count);
            foreach (var s in Semis) WriteFacts(w, s.Facts);
        }

        public void Read(ref SnapshotReader r)
        {
            Clear();
            var n = r.I32();
            if (n < 0) throw new InvalidDataException("Bad context-detector state.");
            for (var i = 0; i < n; i++)
            {
                if (Get(ReadFacts(ref r)) != i) throw new InvalidDataException("Bad context-detector state (duplicate semi-context).");
            }
        }
    }
}
