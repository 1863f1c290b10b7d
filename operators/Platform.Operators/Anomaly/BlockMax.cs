using Platform.Engine.Checkpoints;

namespace Platform.Operators.Anomaly;

/// <summary>
/// Approximate maximum of the last <c>span</c> values in constant, small memory: the span is cut into
/// <see cref="Blocks"/> blocks and only each block's maximum is kept, so the window slides a block at
/// a time (it covers between span − span/Blocks and span values). 16 doubles instead of
/// <c>span</c>, which is what keeps per-key state small.
/// </summary>
internal sealed class BlockMax
{
    public const int Blocks = 16;
    private readonly double[] _max = new double[Blocks];
    private readonly int _blockSize;
    private int _block;
    private int _inBlock;
    private long _count;

    public BlockMax(int span)
    {
        _blockSize = Math.Max(1, span / Blocks);
        Array.Fill(_max, double.NegativeInfinity);
    }

    /// <summary>Values seen, up to the span.</summary>
    public long Count => Math.Min(_count, (long)_blockSize * Blocks);

    /// <summary>Max of the recent values, or −∞ when none.</summary>
    public double Max
    {
        get
        {
            var m = double.NegativeInfinity;
            foreach (var v in _max) if (v > m) m = v;
            return m;
        }
    }

    public void Add(double value)
    {
        if (_inBlock == _blockSize)
        {
            _block = (_block + 1) % Blocks;
            _max[_block] = double.NegativeInfinity;
            _inBlock = 0;
        }
        if (value > _max[_block]) _max[_block] = value;
        _inBlock++;
        _count++;
    }

    public void Write(SnapshotWriter w)
    {
        w.I32(_block);
        w.I32(_inBlock);
        w.I64(_count);
        w.F64s(_max);
    }

    public void Read(ref SnapshotReader r)
    {
        _block = r.I32();
        _inBlock = r.I32();
        _count = r.I64();
        r.F64s(_max);
        if (_block < 0 || _block >= Blocks || _inBlock < 0 || _inBlock > _blockSize) throw new InvalidDataException("Bad block-max state.");
    }
}
