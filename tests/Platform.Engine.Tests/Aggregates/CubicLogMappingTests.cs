using CsCheck;
using Platform.Engine.Aggregates;

namespace Platform.Engine.Tests.Aggregates;

public class CubicLogMappingTests
{
    /// <summary>Positive doubles from subnormals to the largest finite, by raw bits (every exponent equally likely).</summary>
    private static readonly Gen<double> GenPositive = Gen.Long[1, BitConverter.DoubleToInt64Bits(double.MaxValue)].Select(BitConverter.Int64BitsToDouble);

    [Fact]
    public void Slope_PerUnitOfLog2_NeverBelowC()
    {
        // The accuracy bound rests on (1 + m)·P′(m) ≥ C for m in [0, 1].
        for (var i = 0; i <= 100_000; i++)
        {
            var m = i / 100_000.0;
            var slope = (1 + m) * (3 * CubicLogMapping.A * m * m + 2 * CubicLogMapping.B * m + CubicLogMapping.C);
            Assert.True(slope >= CubicLogMapping.C * (1 - 1e-12), $"m={m} slope={slope}");
        }
    }

    [Fact]
    public void Log2_AtPowersOfTwo_IsExact()
    {
        for (var e = -1074; e <= 1023; e++) Assert.Equal(e, CubicLogMapping.Log2(Math.ScaleB(1, e)));
    }

    [Fact]
    public void Log2Inverse_OfLog2_ReturnsTheValue() =>
        GenPositive.Sample(x =>
        {
            var back = CubicLogMapping.Log2Inverse(CubicLogMapping.Log2(x));
            Assert.True(Math.Abs(back - x) <= 1e-12 * x || (x < 1e-300 && Math.Abs(back - x) <= 1e-12 * x + double.Epsilon * 4), $"x={x:R} back={back:R}");
        }, iter: 20_000);

    [Fact]
    public void ValueOf_IndexOf_WithinRelativeAccuracyOverTheWholeRange() =>
        Gen.Select(GenPositive, Gen.OneOf(Gen.Const(0.01), Gen.Const(0.001), Gen.Const(0.05), Gen.Const(1e-4), Gen.Const(0.5))).Sample((x, alpha) =>
        {
            var mapping = new CubicLogMapping(alpha);
            var estimate = mapping.ValueOf(mapping.IndexOf(x));
            Assert.True(Math.Abs(estimate - x) <= alpha * x * (1 + 1e-9), $"x={x:R} α={alpha} estimate={estimate:R}");
        }, iter: 50_000);

    [Fact]
    public void IndexOf_IncreasingValues_NeverDecreases() =>
        Gen.Select(GenPositive, GenPositive).Sample((a, b) =>
        {
            var mapping = new CubicLogMapping(0.01);
            var (lo, hi) = a <= b ? (a, b) : (b, a);
            Assert.True(mapping.IndexOf(lo) <= mapping.IndexOf(hi));
        }, iter: 20_000);

    [Fact]
    public void Multiplier_AboutOnePercentMoreBucketsThanExactLog()
    {
        var alpha = 0.01;
        var exactPerOctave = Math.Log(2) / Math.Log((1 + alpha) / (1 - alpha));
        var ratio = new CubicLogMapping(alpha).Multiplier / exactPerOctave;
        Assert.InRange(ratio, 1.0, 1.011);
    }
}
