using Platform.Engine.Symbols;

namespace Platform.Engine.Records;

/// <summary>The usual key of telemetry state: device × sensor, packed so hashing and equality are one long.</summary>
public readonly record struct SensorKey(Symbol Device, Symbol Sensor)
{
    /// <summary>Both symbols in one 64-bit value.</summary>
    public long Packed => ((long)Device.Id << 32) | (uint)Sensor.Id;

    /// <summary>Unpacks <see cref="Packed"/>.</summary>
    public static SensorKey FromPacked(long packed) => new(new Symbol((int)(packed >> 32)), new Symbol((int)packed));

    /// <summary>The key of a reading.</summary>
    public static SensorKey Of(in Telemetry t) => new(t.Device, t.Sensor);
}
