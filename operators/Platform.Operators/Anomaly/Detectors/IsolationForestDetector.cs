using Platform.Engine.Checkpoints;

namespace Platform.Operators.Anomaly.Detectors;

/// <summary>
/// Streaming isolation forest (Liu et al. 2008) over shingles (the last <c>shingle</c> values as one
/// point). The forest is trained on a sliding buffer of recent shingles: each tree is grown from a
/// random sample of <see cref="SampleSize"/> buffered shingles, and trees are regrown round-robin
/// (one every buffer/trees points), so the model follows drift with bounded memory and amortised
/// O(trees · log sample) work per point. A shingle is scored before it enters the buffer:
/// 2^(−E[path length] / c(sample)), about 0.5 for ordinary points, toward 1 for isolated ones.
/// </summary>
internal sealed class IsolationForestDetector
{
    public const int SampleSize = 64;
    private const int NodesPerTree = 2 * SampleSize - 1;
    private const int MaxDepth = 8;

    private readonly int _dims;
    private readonly int _trees;
    private readonly int _bufferSize;
    private readonly double[] _buffer;     // bufferSize × dims, a ring
    private readonly double[] _shingle;    // the last dims values, a ring
    private readonly double[] _split;      // trees × nodes
    private readonly short[] _dim;         // -1: leaf
    private readonly short[] _left;        // right child = left + 1
    private readonly short[] _size;        // leaf sample count
    private int _bufferHead;
    private int _bufferCount;
    private int _shingleHead;
    private int _shingleCount;
    private int _built;
    private int _nextTree;
    private int _sinceRebuild;
    private ulong _rng;

    public IsolationForestDetector(int trees, int bufferSize, int shingle, ulong seed)
    {
        _dims = shingle;
        _trees = trees;
        _bufferSize = bufferSize;
        _buffer = new double[bufferSize * shingle];
        _shingle = new double[shingle];
        _split = new double[trees * NodesPerTree];
        _dim = new short[trees * NodesPerTree];
        _left = new short[trees * NodesPerTree];
        _size = new short[trees * NodesPerTree];
        _rng = seed | 1;
    }

    /// <summary>Scores the shingle ending at <paramref name="value"/>; <paramref name="sample"/> is shared build scratch (≥ SampleSize ints).</summary>
    public double Update(double value, int[] sample, double[] point)
    {
        if (double.IsNaN(value)) return 0;
        _shingle[_shingleHead] = value;
        _shingleHead = (_shingleHead + 1) % _dims;
        if (_shingleCount < _dims) _shingleCount++;
        if (_shingleCount < _dims) return 0;
        for (var d = 0; d < _dims; d++) point[d] = _shingle[(_shingleHead + d) % _dims];

        var score = 0.0;
        // Trees grown from a part-filled buffer isolate everything quickly: score once it is full.
        if (_built == _trees && _bufferCount == _bufferSize)
        {
            var total = 0.0;
            for (var t = 0; t < _trees; t++) total += PathLength(t, point);
            score = Math.Pow(2, -(total / _trees) / AveragePath(SampleSize));
        }

        point.AsSpan(0, _dims).CopyTo(_buffer.AsSpan(_bufferHead * _dims, _dims));
        _bufferHead = (_bufferHead + 1) % _bufferSize;
        if (_bufferCount < _bufferSize) _bufferCount++;

        if (_bufferCount >= SampleSize)
        {
            var every = Math.Max(1, _bufferSize / _trees);
            if (_built < _trees || ++_sinceRebuild >= every)
            {
                _sinceRebuild = 0;
                Grow(_nextTree, sample);
                _nextTree = (_nextTree + 1) % _trees;
                if (_built < _trees) _built++;
            }
        }
        return score;
    }

    private double PathLength(int tree, double[] point)
    {
        var baseIndex = tree * NodesPerTree;
        var node = 0;
        var depth = 0;
        while (_dim[baseIndex + node] >= 0)
        {
            var d = _dim[baseIndex + node];
            node = point[d] < _split[baseIndex + node] ? _left[baseIndex + node] : _left[baseIndex + node] + 1;
            depth++;
        }
        return depth + AveragePath(_size[baseIndex + node]);
    }

    private void Grow(int tree, int[] sample)
    {
        var n = Math.Min(SampleSize, _bufferCount);
        // Sample with replacement (duplicates are harmless to isolation); no scratch beyond the index array.
        for (var i = 0; i < n; i++) sample[i] = (int)(Next() % (ulong)_bufferCount);
        var next = 1;
        Build(tree * NodesPerTree, 0, sample, 0, n, 0, ref next);
    }

    private void Build(int baseIndex, int node, int[] sample, int from, int to, int depth, ref int next)
    {
        var count = to - from;
        if (count <= 1 || depth >= MaxDepth || next + 2 > NodesPerTree)
        {
            Leaf(baseIndex + node, count);
            return;
        }
        // Pick a dimension with a spread, up to a few tries.
        for (var attempt = 0; attempt < 4; attempt++)
        {
            var d = (int)(Next() % (ulong)_dims);
            double lo = double.MaxValue, hi = double.MinValue;
            for (var i = from; i < to; i++)
            {
                var v = _buffer[sample[i] * _dims + d];
                if (v < lo) lo = v;
                if (v > hi) hi = v;
            }
            if (!(hi > lo)) continue;
            var split = lo + (hi - lo) * NextDouble();
            if (split <= lo) split = (lo + hi) * 0.5;
            var mid = from;
            for (var i = from; i < to; i++)
            {
                if (_buffer[sample[i] * _dims + d] < split)
                {
                    (sample[i], sample[mid]) = (sample[mid], sample[i]);
                    mid++;
                }
            }
            var left = next;
            next += 2;
            _dim[baseIndex + node] = (short)d;
            _split[baseIndex + node] = split;
            _left[baseIndex + node] = (short)left;
            Build(baseIndex, left, sample, from, mid, depth + 1, ref next);
            Build(baseIndex, left + 1, sample, mid, to, depth + 1, ref next);
            return;
        }
        Leaf(baseIndex + node, count);
    }

    private void Leaf(int index, int count)
    {
        _dim[index] = -1;
        _size[index] = (short)count;
    }

    /// <summary>c(n): average path length of an unsuccessful BST search, the isolation forest normaliser.</summary>
    private static double AveragePath(int n) =>
        n <= 1 ? 0 : n == 2 ? 1 : 2 * (Math.Log(n - 1) + 0.5772156649) - 2.0 * (n - 1) / n;

    private ulong Next()
    {
        var x = _rng;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        _rng = x;
        return x;
    }

    private double NextDouble() => (Next() >> 11) * (1.0 / (1UL << 53));

    public void Write(SnapshotWriter w)
    {
        w.I32(_bufferHead);
        w.I32(_bufferCount);
        w.I32(_shingleHead);
        w.I32(_shingleCount);
        w.I32(_built);
        w.I32(_nextTree);
        w.I32(_sinceRebuild);
        w.I64((long)_rng);
        w.F64s(_buffer);
        w.F64s(_shingle);
        w.F64s(_split);
        w.I32(_dim.Length);
        for (var i = 0; i < _dim.Length; i++)
        {
            w.I32(_dim[i]);
            w.I32(_left[i]);
            w.I32(_size[i]);
        }
    }

    public void Read(ref SnapshotReader r)
    {
        _bufferHead = r.I32();
        _bufferCount = r.I32();
        _shingleHead = r.I32();
        _shingleCount = r.I32();
        _built = r.I32();
        _nextTree = r.I32();
        _sinceRebuild = r.I32();
        _rng = (ulong)r.I64();
        r.F64s(_buffer);
        r.F64s(_shingle);
        r.F64s(_split);
        if (r.I32() != _dim.Length) throw new InvalidDataException("Forest snapshot of another size (options changed?).");
        for (var i = 0; i < _dim.Length; i++)
        {
            _dim[i] = (short)r.I32();
            _left[i] = (short)r.I32();
            _size[i] = (short)r.I32();
        }
    }
}
