using System.Runtime.CompilerServices;
using Platform.Engine.Contracts;
using Platform.Engine.Records;

namespace Platform.Engine.Windows;

/// <summary>Keys telemetry by device × sensor (<see cref="SensorKey.Packed"/>).</summary>
public readonly struct TelemetrySensorKey : IKeySelector<Telemetry>
{
    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public long KeyOf(in Telemetry record) => ((long)record.Device.Id << 32) | (uint)record.Sensor.Id;
}

/// <summary>Telemetry event time: <see cref="Telemetry.Timestamp"/>.</summary>
public readonly struct TelemetryEventTime : IEventTimeSelector<Telemetry>
{
    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public long TimeOf(in Telemetry record) => record.Timestamp;
}

/// <summary>Telemetry value: <see cref="Telemetry.Value"/> (the magnitude for vectors).</summary>
public readonly struct TelemetryValue : IValueSelector<Telemetry>
{
    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public double ValueOf(in Telemetry record) => record.Value;
}

/// <summary>Keys telemetry by device alone (all its sensors share one key).</summary>
public readonly struct TelemetryDeviceKey : IKeySelector<Telemetry>
{
    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public long KeyOf(in Telemetry record) => record.Device.Id;
}
