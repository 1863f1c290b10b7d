namespace Platform.Operators.Anomaly;

/// <summary>Which detectors a score came from or fired (a bit mask).</summary>
[Flags]
public enum AnomalyDetectors : byte
{
    /// <summary>No detector.</summary>
    None = 0,
    /// <summary>Robust z-score: distance from the sliding-window median in MADs.</summary>
    RobustZ = 1,
    /// <summary>Exponentially weighted mean and variance.</summary>
    Ewma = 2,
    /// <summary>Per-slot (time of period) mean and variance.</summary>
    Seasonal = 4,
    /// <summary>Spectral residual saliency over a short sliding window.</summary>
    SpectralResidual = 8,
    /// <summary>Two-sided CUSUM change point.</summary>
    ChangePoint = 16,
    /// <summary>Streaming isolation forest over shingled values.</summary>
    IsolationForest = 32,
    /// <summary>Contextual: novelty of quantised value sequences (after CAD OSE).</summary>
    Context = 64,
    /// <summary>Every detector.</summary>
    All = RobustZ | Ewma | Seasonal | SpectralResidual | ChangePoint | IsolationForest,
}

/// <summary>One scored input record: emitted for every record the anomaly operator receives.</summary>
public struct AnomalyScore
{
    /// <summary>The record's key (device × sensor, file, …).</summary>
    public long Key;
    /// <summary>Event time, Unix ms.</summary>
    public long Timestamp;
    /// <summary>The scored value (the magnitude for vectors).</summary>
    public double Value;
    /// <summary>Anomaly score in [0, 1].</summary>
    public double Score;
    /// <summary>Lower end of the expected range before this value was seen.</summary>
    public double ExpectedLow;
    /// <summary>Upper end of the expected range before this value was seen.</summary>
    public double ExpectedHigh;
    /// <summary>Detectors whose calibrated score reached the alert threshold.</summary>
    public AnomalyDetectors Fired;
    /// <summary>0 = magnitude/scalar; 1, 2, 3 = the x, y, z axis that scored highest.</summary>
    public byte Axis;
    /// <summary>True when <see cref="Score"/> ≥ the configured threshold.</summary>
    public bool IsAlert;
}
