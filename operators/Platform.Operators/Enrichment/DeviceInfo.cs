using Platform.Engine.Symbols;

namespace Platform.Operators.Enrichment;

/// <summary>One device-registry row: who owns the device, where it is, what it is, its own alert limits.</summary>
public struct DeviceInfo
{
    /// <summary>Owner (interned).</summary>
    public Symbol Owner;
    /// <summary>Site (interned); also names the device's allowed region for geofencing.</summary>
    public Symbol Site;
    /// <summary>Model (interned).</summary>
    public Symbol Model;
    /// <summary>Per-device lower alert threshold (NaN = none).</summary>
    public double ThresholdLow;
    /// <summary>Per-device upper alert threshold (NaN = none).</summary>
    public double ThresholdHigh;
}
