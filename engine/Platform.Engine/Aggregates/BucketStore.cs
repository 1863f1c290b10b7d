namespace Platform.Engine.Aggregates;

/// <summary>
/// A dense run of bucket counts for one sign of a <see cref="QuantileSketch"/>, stored in a block of a
/// <see cref="SketchArena"/>. Bucket index <c>i</c> lives at <c>Data[Offset + i − Base]</c>; the populated range is
/// <c>[Lo, Hi]</c> (both populated when <see cref="Count"/> &gt; 0). Everything in the block outside that
/// range is zero, so a freed block is clean.
/// </summary>
internal struct BucketStore
{
    public int Offset;
    public int Capacity; // 0: no block
    public int Base;
    public int Lo;
    public int Hi;
    public long Count;

    public readonly int BucketSpan => Count == 0 ? 0 : Hi - Lo + 1;

    public readonly uint CountAt(SketchArena arena, int index) => arena.Data[Offset + index - Base];

    public void Add(SketchArena arena, int index, uint count)
    {
        if (Count == 0)
        {
            if (Capacity == 0)
            {
                Capacity = SketchArena.MinBlock;
                Offset = arena.Allocate(Capacity);
            }

            Base = index - Capacity / 2;
            Lo = Hi = index;
        }
        else if ((uint)(index - Base) >= (uint)Capacity)
        {
            index = Grow(arena, index);
        }

        arena.Data[Offset + index - Base] += count;
        Count += count;
        if (index < Lo) Lo = index;
        if (index > Hi) Hi = index;
    }

    /// <summary>Moves the run to a block that also covers <paramref name="index"/>, collapsing the lowest buckets past the limit; returns where <paramref name="index"/> lands.</summary>
    private int Grow(SketchArena arena, int index)
    {
        var newLo = Math.Min(Lo, index);
        var newHi = Math.Max(Hi, index);
        var data = arena.Data;
        long collapsed = 0;
        if ((long)newHi - newLo + 1 > arena.MaxBuckets)
        {
            var keepLo = newHi - arena.MaxBuckets + 1;
            if (index < keepLo) index = keepLo;
            var stop = Math.Min(Hi, keepLo - 1);
            for (var i = Lo; i <= stop; i++)
            {
                collapsed += data[Offset + i - Base];
                data[Offset + i - Base] = 0;
            }

            newLo = keepLo;
        }

        var copyLo = Math.Max(Lo, newLo);
        var span = newHi - newLo + 1;
        var capacity = arena.CapacityFor(span + span / 2);
        if (capacity < span) capacity = arena.CapacityFor(span);
        var offset = arena.Allocate(capacity);
        data = arena.Data; // may have grown
        var newBase = newLo - (capacity - span) / 2;
        for (var i = copyLo; i <= Hi; i++)
        {
            data[offset + i - newBase] = data[Offset + i - Base];
            data[Offset + i - Base] = 0;
        }

        if (collapsed > 0) data[offset + newLo - newBase] += (uint)collapsed;
        arena.Free(Offset, Capacity);
        Offset = offset;
        Capacity = capacity;
        Base = newBase;
        Lo = Math.Max(Lo, newLo);
        Hi = Math.Max(Hi, newLo);
        return index;
    }

    public void Merge(SketchArena arena, in BucketStore other)
    {
        if (other.Count == 0) return;
        for (var i = other.Hi; i >= other.Lo; i--)
        {
            var c = arena.Data[other.Offset + i - other.Base];
            if (c != 0) Add(arena, i, c);
        }
    }

    public void Clear(SketchArena arena)
    {
        if (Capacity == 0) return;
        if (Count > 0) Array.Clear(arena.Data, Offset + Lo - Base, Hi - Lo + 1);
        arena.Free(Offset, Capacity);
        this = default;
    }
}
