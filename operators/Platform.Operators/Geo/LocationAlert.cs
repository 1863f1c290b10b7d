using Platform.Engine.Symbols;

namespace Platform.Operators.Geo;

/// <summary>Why a fix looks fraudulent.</summary>
public enum LocationAlertKind : byte
{
    /// <summary>The implied speed from the previous fix is above the limit.</summary>
    ImpossibleTravel = 1,
    /// <summary>The fix lies outside every fence of the device's site.</summary>
    OutsideRegion = 2,
}

/// <summary>A location-fraud alert.</summary>
public struct LocationAlert
{
    /// <summary>The device.</summary>
    public Symbol Device;
    /// <summary>The device's site (its allowed region).</summary>
    public Symbol Site;
    /// <summary>What fired.</summary>
    public LocationAlertKind Kind;
    /// <summary>Time of the offending fix (ms).</summary>
    public long Timestamp;
    /// <summary>Latitude of the offending fix.</summary>
    public double Latitude;
    /// <summary>Longitude of the offending fix.</summary>
    public double Longitude;
    /// <summary>Implied speed from the previous fix in km/h (impossible travel), else 0.</summary>
    public double SpeedKmh;
    /// <summary>Distance from the previous fix in metres (impossible travel), else 0.</summary>
    public double DistanceMetres;
}
