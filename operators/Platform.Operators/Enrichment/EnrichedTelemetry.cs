using Platform.Engine.Records;

namespace Platform.Operators.Enrichment;

/// <summary>A telemetry record with its device-registry row attached.</summary>
public struct EnrichedTelemetry
{
    /// <summary>The input record, unchanged.</summary>
    public Telemetry Record;
    /// <summary>The registry row (or the default row, or empty when passed through unmatched).</summary>
    public DeviceInfo Device;
    /// <summary>True when the device id was found in the registry.</summary>
    public bool Matched;
}
