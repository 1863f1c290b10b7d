using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Platform.Engine.Aggregates;

/// <summary>
/// A mergeable quantile sketch with bounded relative error (DDSketch: logarithmic buckets). A value <c>x ≠ 0</c>
/// goes to a bucket of its sign, about <c>log_γ |x|</c> (<see cref="CubicLogMapping"/>: no bucket spans more than a
/// factor γ = (1+α)/(1−α)); zeros are counted apart. The quantile
/// <c>q</c> is the nearest-rank one (the value of rank <c>max(1, ceil(q·n))</c> in sorted order), answered by
/// the representative of its bucket, so it is within α·|x| of the exact one — as long as each sign's values span
/// at most <see cref="SketchArena.MaxBuckets"/> buckets (with α = 1 % and 2048 buckets, a ratio of about 10^17
/// between the largest and the smallest magnitude); past that the buckets of smallest magnitude collapse into one.
/// </summary>
/// <remarks>
/// <para><b>Small sketches.</b> The first <see cref="InlineCapacity"/> values are kept as they are, in the struct;
/// the fifth moves them all into buckets. Until then quantiles are exact (nearest rank), which is within any α, and
/// the sketch touches no arena memory: most windows of a keyed job with many keys hold only a few values.</para>
/// <para><b>36 bytes.</b> A spilled sketch keeps its bucket ranges and zero count in the arena
/// (<see cref="SpilledSketch"/>, by index) and only that index and its value count in the struct, over the bytes the
/// inline values used. Keyed state pays for the bucket bookkeeping only where a window has more than four values.</para>
/// The counts live in a <see cref="SketchArena"/>, which every
/// call takes and which must be the same for a sketch's whole life (and for both sides of a merge).
/// A sketch with <c>k</c> distinct buckets uses a block of 8 … 2k buckets of 4 bytes. Call <see cref="Clear"/>
/// to return the storage. Counts per bucket are 32-bit.
/// </remarks>
[StructLayout(LayoutKind.Explicit, Pack = 4, Size = 36)]
public struct QuantileSketch
{
    /// <summary>Default α: 1 %.</summary>
    public const double DefaultRelativeAccuracy = 0.01;

    /// <summary>Default most buckets per sign.</summary>
    public const int DefaultMaxBuckets = 2048;

    /// <summary>Values kept inline before the sketch moves to buckets.</summary>
    public const int InlineCapacity = 4;

    /// <summary><see cref="InlineCount"/> once the values are in buckets.</summary>
    internal const byte Spilled = byte.MaxValue;

    // Inline holds the values until the sketch spills; after that, the same bytes hold the arena index of its bucket
    // ranges and the number of values added.
    [FieldOffset(0)] internal InlineValues Inline;
    [FieldOffset(0)] internal int SpillIndex;
    [FieldOffset(8)] internal long SpilledCount;
    /// <summary>Values held in <see cref="Inline"/> (0 … <see cref="InlineCapacity"/>), or <see cref="Spilled"/>.</summary>
    [FieldOffset(32)] internal byte InlineCount;

    /// <summary>Four doubles in the struct.</summary>
    [InlineArray(InlineCapacity)]
    internal struct InlineValues
    {
        private double _first;
    }

    /// <summary>True while the values are inline (no bucket storage used).</summary>
    internal readonly bool IsInline => InlineCount != Spilled;

    /// <summary>Number of values added.</summary>
    public readonly long Count => IsInline ? InlineCount : SpilledCount;

    /// <summary>Distinct non-empty bucket range lengths (positive + negative + zero), a measure of its size.</summary>
    public readonly int BucketSpan(SketchArena arena)
    {
        ArgumentNullException.ThrowIfNull(arena);
        if (IsInline) return 0;
        ref readonly var b = ref arena.Spill(SpillIndex);
        return b.Positive.BucketSpan + b.Negative.BucketSpan + (b.ZeroCount > 0 ? 1 : 0);
    }

    /// <summary>Arena buckets this sketch holds (blocks including headroom).</summary>
    public readonly int ReservedBuckets(SketchArena arena)
    {
        ArgumentNullException.ThrowIfNull(arena);
        if (IsInline) return 0;
        ref readonly var b = ref arena.Spill(SpillIndex);
        return b.Positive.Capacity + b.Negative.Capacity;
    }

    /// <summary>Adds a finite value (NaN and infinities are ignored).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Add(SketchArena arena, double value)
    {
        if (InlineCount < InlineCapacity)
        {
            if (double.IsFinite(value)) Inline[InlineCount++] = value + 0.0; // −0 → +0, as a bucket would report it
            return;
        }

        if (InlineCount == InlineCapacity) Spill(arena);
        if (AddToBuckets(arena, ref arena.Spill(SpillIndex), value)) SpilledCount++;
    }

    /// <summary>Moves the inline values into buckets (an arena entry); from now on every value goes there.</summary>
    private void Spill(SketchArena arena)
    {
        var values = Inline;
        var n = InlineCount;
        BecomeSpilled(arena);
        ref var b = ref arena.Spill(SpillIndex);
        for (var i = 0; i < n; i++) AddToBuckets(arena, ref b, values[i]);
        SpilledCount = n;
    }

    /// <summary>Takes an empty arena entry for the buckets (restore, spill); the sketch then counts 0 values.</summary>
    internal ref SpilledSketch BecomeSpilled(SketchArena arena)
    {
        this = default;
        SpillIndex = arena.AllocateSpill();
        InlineCount = Spilled;
        return ref arena.Spill(SpillIndex);
    }

    /// <summary>Sets <see cref="Count"/> of a spilled sketch from its buckets (after a restore filled them).</summary>
    internal void Recount(SketchArena arena)
    {
        ref readonly var b = ref arena.Spill(SpillIndex);
        SpilledCount = b.Positive.Count + b.Negative.Count + b.ZeroCount;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool AddToBuckets(SketchArena arena, ref SpilledSketch b, double value)
    {
        if (value > 0)
        {
            if (value > double.MaxValue) return false;
            b.Positive.Add(arena, arena.IndexOf(value), 1);
            return true;
        }

        if (value < 0)
        {
            if (value < double.MinValue) return false;
            b.Negative.Add(arena, arena.IndexOf(-value), 1);
            return true;
        }

        if (value == 0)
        {
            b.ZeroCount++;
            return true;
        }

        return false;
    }

    /// <summary>Adds every value of <paramref name="other"/> (same arena); the result is the sketch of the union.</summary>
    public void Merge(SketchArena arena, in QuantileSketch other)
    {
        if (other.IsInline)
        {
            for (var i = 0; i < other.InlineCount; i++) Add(arena, other.Inline[i]);
            return;
        }

        if (IsInline) Spill(arena);
        // Entries are by index: a reference into the arena's table is taken only after any allocation above.
        ref var mine = ref arena.Spill(SpillIndex);
        ref readonly var theirs = ref arena.Spill(other.SpillIndex);
        mine.Positive.Merge(arena, theirs.Positive);
        mine.Negative.Merge(arena, theirs.Negative);
        mine.ZeroCount += theirs.ZeroCount;
        SpilledCount += other.SpilledCount;
    }

    /// <summary>The nearest-rank <paramref name="q"/>-quantile (0 ≤ q ≤ 1) within the relative accuracy; NaN when empty.</summary>
    public readonly double Quantile(SketchArena arena, double q)
    {
        Span<double> result = stackalloc double[1];
        Quantiles(arena, [q], result);
        return result[0];
    }

    /// <summary>
    /// Several quantiles in one pass: <paramref name="qs"/> ascending in [0, 1], results into
    /// <paramref name="results"/> (NaN when empty). Allocation-free.
    /// </summary>
    public readonly void Quantiles(SketchArena arena, ReadOnlySpan<double> qs, Span<double> results)
    {
        var n = Count;
        if (n == 0)
        {
            results[..qs.Length].Fill(double.NaN);
            return;
        }

        if (IsInline)
        {
            InlineQuantiles(qs, results);
            return;
        }

        var next = 0;
        long seen = 0;
        var target = RankOf(qs[0], n);
        var data = arena.Data;
        ref readonly var b = ref arena.Spill(SpillIndex);
        ref readonly var negative = ref b.Negative;
        ref readonly var positive = ref b.Positive;

        if (negative.Count > 0)
        {
            for (var i = negative.Hi; i >= negative.Lo && next < qs.Length; i--)
            {
                seen += data[negative.Offset + i - negative.Base];
                while (next < qs.Length && target < seen)
                {
                    results[next] = -arena.ValueOf(i);
                    if (++next < qs.Length) target = RankOf(qs[next], n);
                }
            }
        }

        seen += b.ZeroCount;
        while (next < qs.Length && target < seen)
        {
            results[next] = 0;
            if (++next < qs.Length) target = RankOf(qs[next], n);
        }

        if (positive.Count > 0)
        {
            for (var i = positive.Lo; i <= positive.Hi && next < qs.Length; i++)
            {
                seen += data[positive.Offset + i - positive.Base];
                while (next < qs.Length && target < seen)
                {
                    results[next] = arena.ValueOf(i);
                    if (++next < qs.Length) target = RankOf(qs[next], n);
                }
            }
        }
    }

    /// <summary>Exact nearest-rank quantiles of the inline values.</summary>
    private readonly void InlineQuantiles(ReadOnlySpan<double> qs, Span<double> results)
    {
        Span<double> sorted = stackalloc double[InlineCapacity];
        var n = InlineCount;
        for (var i = 0; i < n; i++)
        {
            var v = Inline[i];
            var j = i;
            for (; j > 0 && sorted[j - 1] > v; j--) sorted[j] = sorted[j - 1];
            sorted[j] = v;
        }

        for (var k = 0; k < qs.Length; k++) results[k] = sorted[(int)RankOf(qs[k], n)];
    }

    /// <summary>Forgets every value and gives the storage back to <paramref name="arena"/>.</summary>
    public void Clear(SketchArena arena)
    {
        if (!IsInline)
        {
            ref var b = ref arena.Spill(SpillIndex);
            b.Positive.Clear(arena);
            b.Negative.Clear(arena);
            b.ZeroCount = 0;
            arena.FreeSpill(SpillIndex);
        }

        this = default;
    }

    /// <summary>0-based nearest rank of quantile <paramref name="q"/> among <paramref name="n"/> values: max(1, ceil(q·n)) − 1.</summary>
    public static long RankOf(double q, long n)
    {
        if (!(q >= 0 && q <= 1)) throw new ArgumentOutOfRangeException(nameof(q), q, "A quantile must be in [0, 1].");
        var r = (long)Math.Ceiling(q * n) - 1;
        return Math.Clamp(r, 0, n - 1);
    }
}
