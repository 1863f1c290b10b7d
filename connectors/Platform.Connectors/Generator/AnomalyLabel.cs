namespace Platform.Connectors.Generator;

/// <summary>The kind of an injected anomaly.</summary>
public enum AnomalyKind
{
    /// <summary>One reading far off its device × sensor baseline.</summary>
    Spike,
    /// <summary>The device × sensor baseline moves for <see cref="TelemetryGeneratorOptions.LevelShiftDuration"/>; labelled at its first reading.</summary>
    LevelShift,
}

/// <summary>Where the generator injected an anomaly (the ground truth detectors are scored against).</summary>
/// <param name="Device">Device index (<see cref="TelemetryGenerator.DeviceIdOf"/> gives its id).</param>
/// <param name="Sensor">Index into <see cref="TelemetryGeneratorOptions.Sensors"/>.</param>
/// <param name="Timestamp">Event time of the anomalous reading, Unix ms.</param>
/// <param name="Kind">Spike or level shift.</param>
public readonly record struct AnomalyLabel(int Device, int Sensor, long Timestamp, AnomalyKind Kind);

/// <summary>Counts of what a generator wrote so far.</summary>
/// <param name="Lines">Lines written (valid + malformed).</param>
/// <param name="ValidRecords">Well-formed records.</param>
/// <param name="MalformedLines">Malformed lines (a parser must reject each).</param>
/// <param name="Anomalies">Injected anomalies (spikes + level shifts).</param>
/// <param name="LateRecords">Valid records moved back by more than <see cref="TelemetryGeneratorOptions.MaxOutOfOrder"/>.</param>
/// <param name="Bytes">Bytes written.</param>
public readonly record struct TelemetryGeneratorStats(long Lines, long ValidRecords, long MalformedLines, long Anomalies, long LateRecords, long Bytes);
