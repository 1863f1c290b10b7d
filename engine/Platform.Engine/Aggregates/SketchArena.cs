using System.Numerics;
using System.Runtime.CompilerServices;
using Platform.Engine.Memory;

namespace Platform.Engine.Aggregates;

/// <summary>
/// Pooled bucket storage and the logarithmic index mapping shared by many <see cref="QuantileSketch"/>es
/// (the mapping is <see cref="CubicLogMapping"/>: no <c>Math.Log</c> per value).
/// Buckets live in one growing array, carved into power-of-two blocks (8 … max buckets) that go back to a free
/// list per size when a sketch grows or is cleared, so sketches that open and close (windows) reuse the same
/// memory and the steady state allocates nothing. Single-threaded, like the keyed worker that owns it.
/// </summary>
public sealed class SketchArena
{
    internal const int MinBlock = 8;
    private const int MinBlockShift = 3;

    private readonly int[][] _free;
    private SpilledSketch[] _spills = new SpilledSketch[64];
    private int _spillsUsed;
    private int[] _spillFree = new int[16];
    private int _spillFreeCount;
    private readonly int[] _freeCount;
    private uint[] _data;
    private int _used;

    /// <summary>Creates storage for sketches with the given accuracy.</summary>
    /// <param name="relativeAccuracy">α: every quantile is within α·|value| of the true one (0.0001 … 0.5).</param>
    /// <param name="maxBuckets">Most buckets per sign in one sketch, a power of two (16 … 65536).</param>
    /// <param name="initialBuckets">Buckets to reserve up front.</param>
    public SketchArena(double relativeAccuracy = QuantileSketch.DefaultRelativeAccuracy, int maxBuckets = QuantileSketch.DefaultMaxBuckets, int initialBuckets = 4096)
    {
        ValidateSettings(relativeAccuracy, maxBuckets);
        RelativeAccuracy = relativeAccuracy;
        MaxBuckets = maxBuckets;
        Mapping = new CubicLogMapping(relativeAccuracy);
        var classes = BitOperations.Log2((uint)maxBuckets) - MinBlockShift + 1;
        _free = new int[classes][];
        _freeCount = new int[classes];
        for (var c = 0; c < classes; c++) _free[c] = new int[4];
        _data = new uint[Math.Max(MinBlock, initialBuckets)];
    }

    /// <summary>α, the relative accuracy of quantiles.</summary>
    public double RelativeAccuracy { get; }

    /// <summary>Most buckets per sign in one sketch.</summary>
    public int MaxBuckets { get; }

    /// <summary>Buckets handed out to sketches now (in blocks, including their unused headroom).</summary>
    public long BucketsInUse { get; private set; }

    /// <summary>Buckets reserved by the arena (its footprint is 4 bytes each).</summary>
    public long BucketsReserved => _data.Length;

    internal readonly CubicLogMapping Mapping;

    /// <summary>Throws when the accuracy or bucket count is out of range.</summary>
    public static void ValidateSettings(double relativeAccuracy, int maxBuckets)
    {
        if (!(relativeAccuracy >= 1e-4 && relativeAccuracy <= 0.5))
            throw new ArgumentOutOfRangeException(nameof(relativeAccuracy), relativeAccuracy, "Sketch relative accuracy must be in [0.0001, 0.5].");
        if (maxBuckets < 16 || maxBuckets > 65536 || !BitOperations.IsPow2(maxBuckets))
            throw new ArgumentOutOfRangeException(nameof(maxBuckets), maxBuckets, "Sketch max buckets must be a power of two in [16, 65536].");
    }

    /// <summary>Bucket index of a positive, finite value.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal int IndexOf(double positive) => Mapping.IndexOf(positive);

    /// <summary>The value standing for bucket <paramref name="index"/>: within α of everything the bucket holds.</summary>
    internal double ValueOf(int index) => Mapping.ValueOf(index);

    internal uint[] Data => _data;

    internal static int ClassOf(int capacity) => BitOperations.Log2((uint)capacity) - MinBlockShift;

    /// <summary>Smallest block capacity holding <paramref name="buckets"/>, at most <see cref="MaxBuckets"/>.</summary>
    internal int CapacityFor(int buckets) =>
        Math.Min(MaxBuckets, Math.Max(MinBlock, (int)BitOperations.RoundUpToPowerOf2((uint)buckets)));

    /// <summary>Takes a zeroed block of <paramref name="capacity"/> buckets; returns its offset in <see cref="Data"/>.</summary>
    internal int Allocate(int capacity)
    {
        var c = ClassOf(capacity);
        BucketsInUse += capacity;
        if (_freeCount[c] > 0) return _free[c][--_freeCount[c]];
        if (_used + capacity > _data.Length)
        {
            var size = _data.Length;
            while (size < _used + capacity) size = checked(size * 2);
            LargeArray.Resize(ref _data, size);
        }

        var offset = _used;
        _used += capacity;
        return offset;
    }

    /// <summary>Spilled sketches now (each holds an entry of bucket bookkeeping here).</summary>
    public int SpilledSketches => _spillsUsed - _spillFreeCount;

    /// <summary>Bytes of the spilled sketches' bookkeeping table.</summary>
    public long SpillTableBytes => (long)_spills.Length * Unsafe.SizeOf<SpilledSketch>();

    /// <summary>The bucket ranges of spilled sketch <paramref name="index"/> (valid until the next <see cref="AllocateSpill"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal ref SpilledSketch Spill(int index) => ref _spills[index];

    /// <summary>Takes an empty entry for a sketch that spills.</summary>
    internal int AllocateSpill()
    {
        if (_spillFreeCount > 0) return _spillFree[--_spillFreeCount];
        if (_spillsUsed == _spills.Length) LargeArray.Resize(ref _spills, _spills.Length * 2);
        return _spillsUsed++;
    }

    /// <summary>Returns an entry whose buckets were cleared.</summary>
    internal void FreeSpill(int index)
    {
        _spills[index] = default;
        if (_spillFreeCount == _spillFree.Length) Array.Resize(ref _spillFree, _spillFree.Length * 2);
        _spillFree[_spillFreeCount++] = index;
    }

    /// <summary>Returns a block; the caller has zeroed it.</summary>
    internal void Free(int offset, int capacity)
    {
        var c = ClassOf(capacity);
        BucketsInUse -= capacity;
        if (_freeCount[c] == _free[c].Length) Array.Resize(ref _free[c], _free[c].Length * 2);
        _free[c][_freeCount[c]++] = offset;
    }
}

/// <summary>The bucket bookkeeping of a sketch that holds more than its inline values: both signs' runs and the zeros.</summary>
internal struct SpilledSketch
{
    public BucketStore Positive;
    public BucketStore Negative;
    public long ZeroCount;
}
