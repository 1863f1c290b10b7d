using Platform.Engine.Symbols;

namespace Platform.Engine.Records;

/// <summary>Which optional parts of a <see cref="Telemetry"/> record are present.</summary>
[Flags]
public enum TelemetryFlags : byte
{
    /// <summary>A scalar reading in <see cref="Telemetry.Value"/>.</summary>
    None = 0,
    /// <summary>An x/y/z reading; <see cref="Telemetry.Value"/> holds its magnitude.</summary>
    Vector = 1,
    /// <summary><see cref="Telemetry.Latitude"/> and <see cref="Telemetry.Longitude"/> are set.</summary>
    Location = 2,
    /// <summary><see cref="Telemetry.CorrelationId"/> is set.</summary>
    Correlation = 4,
}

/// <summary>
/// One device reading (seed 002 §3: deviceId, timestamp, sensorType, payload, correlationId, location).
/// A plain struct: strings are interned <see cref="Symbol"/>s, time is Unix milliseconds (UTC).
/// </summary>
public struct Telemetry
{
    /// <summary>The device that sent the reading.</summary>
    public Symbol Device;
    /// <summary>The sensor type (temperature, humidity, pressure, vibration, …).</summary>
    public Symbol Sensor;
    /// <summary>The unit of the value ("Celsius", "%", "hPa"); None when absent.</summary>
    public Symbol Unit;
    /// <summary>Event time, Unix milliseconds UTC.</summary>
    public long Timestamp;
    /// <summary>The scalar value, or the vector's Euclidean magnitude.</summary>
    public double Value;
    /// <summary>Vector components (only with <see cref="TelemetryFlags.Vector"/>).</summary>
    public double X, Y, Z;
    /// <summary>WGS-84 position (only with <see cref="TelemetryFlags.Location"/>).</summary>
    public double Latitude, Longitude;
    /// <summary>
    /// The correlation id as 128 bits: a canonical UUID parsed as such, any other string hashed
    /// (XxHash128), so tracing needs no per-record string.
    /// </summary>
    public UInt128 CorrelationId;
    /// <summary>Which optional parts are present.</summary>
    public TelemetryFlags Flags;

    /// <summary>True when the payload was an x/y/z vector.</summary>
    public readonly bool IsVector => (Flags & TelemetryFlags.Vector) != 0;
}
