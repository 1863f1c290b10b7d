namespace Platform.Engine.Records;

/// <summary>Statistics of one key's values in one window: the output of a windowed aggregate.</summary>
public struct WindowResult
{
    /// <summary>The key (for telemetry: device × sensor packed, see <see cref="SensorKey.Packed"/>).</summary>
    public long Key;
    /// <summary>Window start, Unix ms, inclusive.</summary>
    public long WindowStart;
    /// <summary>Window end, Unix ms, exclusive.</summary>
    public long WindowEnd;
    /// <summary>Number of values.</summary>
    public long Count;
    /// <summary>Sum, minimum, maximum, mean and (population) variance of the values.</summary>
    public double Sum, Min, Max, Mean, Variance;
    /// <summary>Quantiles from the window's quantile sketch (relative error bounded by the sketch).</summary>
    public double P50, P95, P99;
    /// <summary>True when this row revises a window already emitted (late-record policy "update").</summary>
    public bool IsUpdate;
}
