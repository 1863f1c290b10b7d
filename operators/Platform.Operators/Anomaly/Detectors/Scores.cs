namespace Platform.Operators.Anomaly.Detectors;

/// <summary>Maps unbounded deviations to [0, 1].</summary>
internal static class Scores
{
    /// <summary>z / (z + half): 0 at 0, 0.5 at <paramref name="half"/>, → 1; NaN → 0.</summary>
    public static double Squash(double z, double half)
    {
        if (!(z > 0)) return 0;
        if (double.IsPositiveInfinity(z)) return 1;
        return z / (z + half);
    }

    /// <summary>A scale floor so a constant series does not divide by zero, relative to the level.</summary>
    public static double Floor(double level) => 1e-6 * (1 + Math.Abs(level));
}
