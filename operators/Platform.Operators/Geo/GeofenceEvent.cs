using Platform.Engine.Symbols;

namespace Platform.Operators.Geo;

/// <summary>What happened between a device and a fence.</summary>
public enum GeofenceTransition : byte
{
    /// <summary>The device is (debounced) inside the fence.</summary>
    Enter = 1,
    /// <summary>The device is (debounced) outside the fence again.</summary>
    Exit = 2,
    /// <summary>The device has stayed inside for the dwell time (once per visit).</summary>
    Dwell = 3,
}

/// <summary>An enter/exit/dwell event.</summary>
public struct GeofenceEvent
{
    /// <summary>The device.</summary>
    public Symbol Device;
    /// <summary>The fence's name.</summary>
    public Symbol Fence;
    /// <summary>The fence's site or tenant.</summary>
    public Symbol Site;
    /// <summary>Enter, exit or dwell.</summary>
    public GeofenceTransition Transition;
    /// <summary>Event time (ms): for enter/exit the first fix of the debounced streak; for dwell the fix that reached the dwell time.</summary>
    public long Timestamp;
    /// <summary>Latitude of that fix.</summary>
    public double Latitude;
    /// <summary>Longitude of that fix.</summary>
    public double Longitude;
}
