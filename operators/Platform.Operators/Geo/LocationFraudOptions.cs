namespace Platform.Operators.Geo;

/// <summary>Limits for <see cref="LocationFraudOperator"/>.</summary>
public sealed record LocationFraudOptions
{
    /// <summary>Implied speed above which consecutive fixes are impossible travel (km/h); 0 turns the check off.</summary>
    public double MaxSpeedKmh { get; init; } = 300;

    /// <summary>Jumps shorter than this (metres) never count, so GPS noise between close-in-time fixes is ignored.</summary>
    public double MinDistanceMetres { get; init; } = 1_000;

    /// <summary>Check fixes against the fences of the device's site (needs a fence set and an enriched site).</summary>
    public bool CheckRegion { get; init; } = true;

    /// <summary>Throws on nonsense.</summary>
    public LocationFraudOptions Validate()
    {
        if (MaxSpeedKmh < 0 || double.IsNaN(MaxSpeedKmh)) throw new ArgumentOutOfRangeException(nameof(MaxSpeedKmh), MaxSpeedKmh, "Speed limit must be 0 (off) or positive.");
        if (MinDistanceMetres < 0) throw new ArgumentOutOfRangeException(nameof(MinDistanceMetres), MinDistanceMetres, "Minimum distance cannot be negative.");
        return this;
    }
}
