using CsCheck;
using Platform.Engine.Aggregates;

namespace Platform.Engine.Tests.Aggregates;

public class QuantileSketchTests
{
    private static readonly double[] s_qs = [0, 0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99, 0.999, 1];

    /// <summary>
    /// Values of mixed scale and sign: uniform, integers (with zeros and duplicates), log-uniform magnitudes.
    /// Magnitudes below 1e-6 become 0, so each sign spans at most 1e-6 … 1e12 — within the bucket limit used here
    /// (the accuracy guarantee holds only within it; collapsing has its own test).
    /// </summary>
    private static readonly Gen<double[]> GenValues = Gen.OneOf(
        Gen.Double[-1e6, 1e6].Select(v => Math.Abs(v) < 1e-6 ? 0 : v).Array[1, 400],
        Gen.Int[-50, 50].Select(i => (double)i).Array[1, 400],
        Gen.Select(Gen.Double[-12, 12], Gen.Bool).Select(x => (x.Item2 ? -1 : 1) * Math.Pow(10, x.Item1)).Array[1, 400]);

    private static double Exact(double[] sorted, double q) =>
        sorted[Math.Clamp((long)Math.Ceiling(q * sorted.Length), 1, sorted.Length) - 1];

    [Fact]
    public void Quantile_RandomData_WithinRelativeAccuracyOfNearestRank() =>
        Gen.Select(GenValues, Gen.OneOf(Gen.Const(0.01), Gen.Const(0.001), Gen.Const(0.05))).Sample((values, alpha) =>
        {
            var arena = new SketchArena(alpha, maxBuckets: 65536);
            var sketch = new QuantileSketch();
            foreach (var v in values) sketch.Add(arena, v);
            var sorted = values.Order().ToArray();
            Assert.Equal(values.Length, sketch.Count);
            foreach (var q in s_qs)
            {
                var exact = Exact(sorted, q);
                var estimate = sketch.Quantile(arena, q);
                Assert.True(Math.Abs(estimate - exact) <= alpha * Math.Abs(exact) * (1 + 1e-9), $"q={q} exact={exact} estimate={estimate}");
            }
        }, iter: 500);

    [Fact]
    public void Merge_TwoSketches_EqualsSketchOfUnion() =>
        Gen.Select(GenValues, GenValues).Sample((a, b) =>
        {
            var arena = new SketchArena(maxBuckets: 65536);
            QuantileSketch sa = default, sb = default, union = default;
            foreach (var v in a) sa.Add(arena, v);
            foreach (var v in b) sb.Add(arena, v);
            foreach (var v in a.Concat(b)) union.Add(arena, v);
            sa.Merge(arena, sb);
            Assert.Equal(union.Count, sa.Count);
            foreach (var q in s_qs) Assert.Equal(union.Quantile(arena, q), sa.Quantile(arena, q));
        }, iter: 300);

    [Fact]
    public void Quantiles_NegativesZerosPositives_OrderedBySignedValue()
    {
        var arena = new SketchArena();
        var sketch = new QuantileSketch();
        foreach (var v in new[] { 5.0, -100, 0, 0, -1, 3 }) sketch.Add(arena, v);
        Span<double> r = stackalloc double[6];
        sketch.Quantiles(arena, [0, 0.2, 0.4, 0.6, 0.8, 1], r);
        Assert.Equal(-100, r[0], 1.0);
        Assert.Equal(-1, r[1], 0.01);
        Assert.Equal(0, r[2]);
        Assert.Equal(0, r[3]);
        Assert.Equal(3, r[4], 0.03);
        Assert.Equal(5, r[5], 0.05);
    }

    [Fact]
    public void Quantile_Empty_ReturnsNaN() =>
        Assert.True(double.IsNaN(new QuantileSketch().Quantile(new SketchArena(), 0.5)));

    [Fact]
    public void Add_RangeWiderThanMaxBuckets_CollapsesLowestAndKeepsHighQuantilesAccurate()
    {
        var arena = new SketchArena(0.01, maxBuckets: 64);
        var sketch = new QuantileSketch();
        var values = Enumerable.Range(0, 10_000).Select(i => Math.Pow(10, i / 1000.0)).ToArray(); // 1 … 1e10
        foreach (var v in values) sketch.Add(arena, v);
        Assert.Equal(values.Length, sketch.Count);
        Assert.True(sketch.BucketSpan(arena) <= 64, $"{sketch.BucketSpan(arena)} buckets");
        var sorted = values.Order().ToArray();
        foreach (var q in new[] { 0.99, 0.999, 1.0 })
            Assert.True(Math.Abs(sketch.Quantile(arena, q) - Exact(sorted, q)) <= 0.01 * Exact(sorted, q) * (1 + 1e-9));
        Assert.True(sketch.Quantile(arena, 0) >= 1); // the collapsed low end over-estimates, never under
    }

    [Fact]
    public void Clear_ManySketchesOpenedAndClosed_ReusesArenaWithoutGrowing()
    {
        var arena = new SketchArena(initialBuckets: 8);
        var sketches = new QuantileSketch[100];
        void Cycle()
        {
            for (var i = 0; i < sketches.Length; i++)
                for (var j = 0; j < 50; j++) sketches[i].Add(arena, 1 + (i * 50 + j) * 7919 % 1000); // same values every cycle
            for (var i = 0; i < sketches.Length; i++) sketches[i].Clear(arena);
        }

        Cycle();
        Cycle();
        var reserved = arena.BucketsReserved;
        // The least of a few rounds: a round may see the runtime's own one-off work (tiered re-JIT) on this thread.
        var allocated = long.MaxValue;
        for (var round = 0; round < 5 && allocated > 0; round++)
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            for (var i = 0; i < 20; i++) Cycle();
            allocated = Math.Min(allocated, GC.GetAllocatedBytesForCurrentThread() - before);
        }
        Assert.Equal(0, allocated);
        Assert.Equal(reserved, arena.BucketsReserved);
        Assert.Equal(0, arena.BucketsInUse);
    }

    [Fact]
    public void Ctor_MaxBucketsNotPowerOfTwo_ThrowsArgumentOutOfRange() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new SketchArena(0.01, 100));
}
