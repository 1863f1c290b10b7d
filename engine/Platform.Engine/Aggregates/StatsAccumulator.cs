using System.Runtime.CompilerServices;

namespace Platform.Engine.Aggregates;

/// <summary>
/// Count, sum, min, max, mean and variance of a stream of values, in 48 bytes. Mean and variance use Welford's
/// update and Chan et al.'s pairwise merge, so they stay numerically stable and two accumulators merge exactly
/// as if one had seen both streams (up to rounding).
/// </summary>
public struct StatsAccumulator
{
    /// <summary>Number of values.</summary>
    public long Count;
    /// <summary>Sum of the values (plain left-to-right addition).</summary>
    public double Sum;
    /// <summary>Smallest value (0 when empty).</summary>
    public double Min;
    /// <summary>Largest value (0 when empty).</summary>
    public double Max;
    /// <summary>Running mean (0 when empty).</summary>
    public double Mean;
    /// <summary>Sum of squared deviations from the mean (Welford's M2).</summary>
    public double M2;

    /// <summary>Population variance: M2 / Count (0 when empty).</summary>
    public readonly double Variance => Count > 0 ? Math.Max(0, M2 / Count) : 0;

    /// <summary>Sample variance: M2 / (Count − 1) (0 with fewer than two values).</summary>
    public readonly double SampleVariance => Count > 1 ? Math.Max(0, M2 / (Count - 1)) : 0;

    /// <summary>Adds one value.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Add(double value)
    {
        var n = ++Count;
        Sum += value;
        if (n == 1)
        {
            Min = Max = Mean = value;
            M2 = 0;
            return;
        }

        if (value < Min) Min = value;
        if (value > Max) Max = value;
        var delta = value - Mean;
        Mean += delta / n;
        M2 += delta * (value - Mean);
    }

    /// <summary>Adds every value <paramref name="other"/> has seen.</summary>
    public void Merge(in StatsAccumulator other)
    {
        if (other.Count == 0) return;
        if (Count == 0)
        {
            this = other;
            return;
        }

        var n = Count + other.Count;
        var delta = other.Mean - Mean;
        Mean += delta * other.Count / n;
        M2 += other.M2 + delta * delta * ((double)Count * other.Count / n);
        Sum += other.Sum;
        if (other.Min < Min) Min = other.Min;
        if (other.Max > Max) Max = other.Max;
        Count = n;
    }

    /// <summary>Forgets everything.</summary>
    public void Reset() => this = default;
}
