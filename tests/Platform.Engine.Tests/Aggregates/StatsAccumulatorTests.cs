using CsCheck;
using Platform.Engine.Aggregates;

namespace Platform.Engine.Tests.Aggregates;

public class StatsAccumulatorTests
{
    private static void AssertMatchesTwoPass(double[] values, in StatsAccumulator acc)
    {
        var mean = values.Average();
        var variance = values.Sum(x => (x - mean) * (x - mean)) / values.Length;
        var scale = Math.Max(1, values.Max(Math.Abs));
        Assert.Equal(values.Length, acc.Count);
        Assert.Equal(values.Min(), acc.Min);
        Assert.Equal(values.Max(), acc.Max);
        Assert.True(Math.Abs(acc.Sum - values.Sum()) <= 1e-12 * scale * values.Length);
        Assert.True(Math.Abs(acc.Mean - mean) <= 1e-9 * scale, $"mean {acc.Mean} vs {mean}");
        Assert.True(Math.Abs(acc.Variance - variance) <= 1e-9 * Math.Max(1, variance) + 1e-12 * scale * scale, $"variance {acc.Variance} vs {variance}");
    }

    [Fact]
    public void Add_RandomValues_MatchesTwoPassStatistics() =>
        Gen.Double[-1e6, 1e6].Array[1, 500].Sample(values =>
        {
            var acc = new StatsAccumulator();
            foreach (var v in values) acc.Add(v);
            AssertMatchesTwoPass(values, acc);
        });

    [Fact]
    public void Merge_SplitAnywhere_MatchesSequential() =>
        Gen.Select(Gen.Double[-1e4, 1e4].Array[2, 300], Gen.Double[0, 1]).Sample((values, at) =>
        {
            var cut = (int)(at * values.Length);
            StatsAccumulator a = default, b = default;
            foreach (var v in values[..cut]) a.Add(v);
            foreach (var v in values[cut..]) b.Add(v);
            a.Merge(b);
            AssertMatchesTwoPass(values, a);
        });

    [Fact]
    public void Variance_LargeOffsetSmallSpread_StaysAccurate()
    {
        var acc = new StatsAccumulator();
        foreach (var v in new[] { 1e9 + 4, 1e9 + 7, 1e9 + 13, 1e9 + 16 }) acc.Add(v);
        Assert.Equal(22.5, acc.Variance, 1e-6);
    }
}
