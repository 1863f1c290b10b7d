using Platform.Engine.Contracts;
using Platform.Engine.Records;

namespace Platform.Operators.Anomaly;

/// <summary>
/// A value selector that can also expose x/y/z components. When the operator's value selector
/// implements it and <see cref="AnomalyDetectorOptions.ScoreAxes"/> is on, each axis is scored
/// by its own detectors as well as the magnitude.
/// </summary>
public interface IVectorValueSelector<T> : IValueSelector<T>
{
    /// <summary>The record's components; false for a scalar record.</summary>
    bool TryGetAxes(in T record, out double x, out double y, out double z);
}

/// <summary>Telemetry value (the magnitude for vectors) with its x/y/z axes.</summary>
public readonly struct TelemetryVectorValue : IVectorValueSelector<Telemetry>
{
    /// <inheritdoc />
    public double ValueOf(in Telemetry record) => record.Value;

    /// <inheritdoc />
    public bool TryGetAxes(in Telemetry record, out double x, out double y, out double z)
    {
        x = record.X;
        y = record.Y;
        z = record.Z;
        return record.IsVector;
    }
}
