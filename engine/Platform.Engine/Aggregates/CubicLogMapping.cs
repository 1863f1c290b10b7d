using System.Runtime.CompilerServices;

namespace Platform.Engine.Aggregates;

/// <summary>
/// The bucket index of a positive value for a <see cref="QuantileSketch"/> without <c>Math.Log</c>: DDSketch's
/// cubically interpolated mapping. log2(x) is approximated from the IEEE-754 bits as the exponent plus a cubic
/// P(m) = A·m³ + B·m² + C·m of the mantissa fraction m ∈ [0, 1) (P(0) = 0, P(1) = 1, so it is continuous and
/// increasing), and bucket i holds the values whose approximation lies in ((i − 1)/M, i/M].
/// </summary>
/// <remarks>
/// <para><b>Why the guarantee holds.</b> Per unit of true log2, the approximation grows at (1 + m)·P′(m)·ln 2,
/// which is never below C·ln 2 (the minimum, reached at m = 0 and m = 2/3; a test checks it). So a bucket, 1/M wide
/// in the approximation, is at most 1/(M·C·ln 2) wide in log2 — at most log2 γ, γ = (1 + α)/(1 − α), when
/// M ≥ 1/(C·ln γ). Its bounds lo &lt; hi then have hi/lo ≤ γ, and the harmonic mean 2·lo·hi/(lo + hi) is within α of
/// every value in it. The cost is 1/(C·ln 2) ≈ 1.01× the buckets of the exact logarithm.</para>
/// <para>Indexes differ from the exact-log mapping's, so a sketch's buckets are only meaningful with this mapping
/// (the window snapshot format version says which).</para>
/// </remarks>
internal readonly struct CubicLogMapping
{
    internal const double A = 6.0 / 35;
    internal const double B = -3.0 / 5;
    internal const double C = 10.0 / 7;

    private const double TwoTo64 = 18446744073709551616.0;
    private const long MantissaMask = 0x000F_FFFF_FFFF_FFFFL;
    private const long ExponentOfOne = 0x3FF0_0000_0000_0000L;

    private readonly double _multiplier;
    private readonly double _inverseMultiplier;

    /// <summary>The mapping for relative accuracy <paramref name="relativeAccuracy"/> (α).</summary>
    public CubicLogMapping(double relativeAccuracy)
    {
        var gamma = (1 + relativeAccuracy) / (1 - relativeAccuracy);
        // A hair more buckets than the bound needs, so rounding in the approximation cannot widen a bucket past γ.
        _multiplier = 1 / (C * Math.Log(gamma)) * (1 + 1e-7);
        _inverseMultiplier = 1 / _multiplier;
    }

    /// <summary>Buckets per unit of approximate log2 (per octave).</summary>
    public double Multiplier => _multiplier;

    /// <summary>Bucket index of a positive, finite value.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int IndexOf(double positive) => (int)Math.Ceiling(Log2(positive) * _multiplier);

    /// <summary>The value standing for bucket <paramref name="index"/>: the harmonic mean of its bounds, within α of all it holds.</summary>
    public double ValueOf(int index)
    {
        var lo = Log2Inverse((index - 1) * _inverseMultiplier);
        var hi = Math.Min(double.MaxValue, Log2Inverse(index * _inverseMultiplier));
        var r = lo / hi;
        return lo + lo * ((1 - r) / (1 + r)); // 2·lo·hi/(lo + hi), without overflowing near double.MaxValue
    }

    /// <summary>Exponent + P(mantissa fraction): an increasing, continuous approximation of log2 (exact at powers of two).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double Log2(double positive)
    {
        var bits = BitConverter.DoubleToInt64Bits(positive);
        var biased = (int)(bits >> 52) & 0x7FF;
        if (biased == 0) return Log2(positive * TwoTo64) - 64; // subnormal: scale into the normal range
        var m = BitConverter.Int64BitsToDouble((bits & MantissaMask) | ExponentOfOne) - 1;
        return ((A * m + B) * m + C) * m + (biased - 1023);
    }

    /// <summary>The x with <see cref="Log2"/>(x) = <paramref name="y"/> (Cardano's formula for the cubic).</summary>
    public static double Log2Inverse(double y)
    {
        var exponent = Math.Floor(y);
        var r = y - exponent;
        const double d0 = B * B - 3 * A * C;
        var d1 = 2 * B * B * B - 9 * A * B * C - 27 * A * A * r;
        var p = Math.Cbrt((d1 - Math.Sqrt(d1 * d1 - 4 * d0 * d0 * d0)) / 2);
        var m = -(B + p + d0 / p) / (3 * A);
        return Math.ScaleB(1 + m, (int)Math.Clamp(exponent, -2000, 2000));
    }
}
