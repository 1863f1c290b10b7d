using Platform.Engine.Contracts;

namespace Platform.Operators.Anomaly;

/// <summary>
/// The smallest record the detectors score: a key (a device × sensor, a file), an event time (Unix ms) and a value.
/// Used by <c>platform nab</c>, the anomaly benchmarks and tests; pipelines bring their own record and selectors.
/// </summary>
public struct ScalarReading
{
    /// <summary>Series key.</summary>
    public long Key;
    /// <summary>Event time, Unix milliseconds.</summary>
    public long Time;
    /// <summary>The value.</summary>
    public double Value;
}

/// <summary>Keys a <see cref="ScalarReading"/> by <see cref="ScalarReading.Key"/>.</summary>
public readonly struct ScalarReadingKey : IKeySelector<ScalarReading>
{
    /// <inheritdoc />
    public long KeyOf(in ScalarReading record) => record.Key;
}

/// <summary>Event time of a <see cref="ScalarReading"/>.</summary>
public readonly struct ScalarReadingTime : IEventTimeSelector<ScalarReading>
{
    /// <inheritdoc />
    public long TimeOf(in ScalarReading record) => record.Time;
}

/// <summary>Value of a <see cref="ScalarReading"/>.</summary>
public readonly struct ScalarReadingValue : IValueSelector<ScalarReading>
{
    /// <inheritdoc />
    public double ValueOf(in ScalarReading record) => record.Value;
}
