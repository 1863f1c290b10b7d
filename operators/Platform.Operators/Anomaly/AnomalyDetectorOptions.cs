namespace Platform.Operators.Anomaly;

/// <summary>
/// Settings of the anomaly detectors and their ensemble. Immutable; one configuration serves every
/// key. Defaults are the configuration measured on NAB (see the README).
/// </summary>
public sealed record AnomalyDetectorOptions
{
    /// <summary>Default alert threshold on the output score.</summary>
    public const double DefaultThreshold = 0.9;

    /// <summary>Detectors that run. One detector alone is reported uncalibrated (its own score); two or more form the ensemble.</summary>
    public AnomalyDetectors Detectors { get; init; } = AnomalyDetectors.All;
    /// <summary>Score at or above which a record is an alert (and a detector is said to have fired). Default 0.9.</summary>
    public double Threshold { get; init; } = DefaultThreshold;
    /// <summary>
    /// Buffer records per key and score them in event-time order as the watermark passes them (default on).
    /// Off: score on arrival (only correct when the source delivers each key in order).
    /// </summary>
    public bool OrderByWatermark { get; init; } = true;
    /// <summary>Also score each axis of vector records (needs an <see cref="IVectorValueSelector{T}"/>).</summary>
    public bool ScoreAxes { get; init; }

    /// <summary>Robust z-score: sliding window length (points), 8..1024. Default 128.</summary>
    public int RobustWindow { get; init; } = 128;
    /// <summary>EWMA: smoothing factor of mean and variance. Default 0.05.</summary>
    public double EwmaAlpha { get; init; } = 0.05;
    /// <summary>Seasonal baseline: the period (default one day).</summary>
    public TimeSpan SeasonalPeriod { get; init; } = TimeSpan.FromDays(1);
    /// <summary>Seasonal baseline: slots per period, 2..1440. Default 96 (15 min of a day).</summary>
    public int SeasonalSlots { get; init; } = 96;
    /// <summary>Seasonal baseline: smoothing factor of each slot's mean and variance. Default 0.2.</summary>
    public double SeasonalAlpha { get; init; } = 0.2;
    /// <summary>Spectral residual: FFT window (power of two, 16..64). Default 32.</summary>
    public int SpectralWindow { get; init; } = 32;
    /// <summary>CUSUM: slack in standard deviations. Default 0.5.</summary>
    public double CusumSlack { get; init; } = 0.5;
    /// <summary>CUSUM: decision level in standard deviations (score 0.5 there). Default 8.</summary>
    public double CusumLevel { get; init; } = 8;
    /// <summary>Isolation forest: trees. Default 32.</summary>
    public int ForestTrees { get; init; } = 32;
    /// <summary>Isolation forest: recent shingles kept to sample trees from. Default 256.</summary>
    public int ForestBuffer { get; init; } = 256;
    /// <summary>Isolation forest: shingle length (consecutive values per point). Default 4.</summary>
    public int ForestShingle { get; init; } = 4;
    /// <summary>Ensemble: recent raw scores per detector that calibrate it (percentile rank). Default 512.</summary>
    public int CalibrationWindow { get; init; } = 512;
    /// <summary>Points scored before any score above zero is emitted (warm-up). Default 32.</summary>
    public int WarmUp { get; init; } = 32;
    /// <summary>
    /// After a point scores high, later points within this many points must beat it to score high again
    /// (one detection per event, not one per point). 0 turns it off. Default 0.
    /// </summary>
    public int Refractory { get; init; }

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid setting.</summary>
    public AnomalyDetectorOptions Validate()
    {
        if (Detectors == AnomalyDetectors.None) throw new ArgumentException("Detectors must name at least one detector.");
        if (Threshold is < 0 or > 1) throw new ArgumentException($"Threshold must be in [0, 1], got {Threshold}.");
        if (RobustWindow is < 8 or > 1024) throw new ArgumentException($"RobustWindow must be in [8, 1024], got {RobustWindow}.");
        if (EwmaAlpha is <= 0 or >= 1) throw new ArgumentException($"EwmaAlpha must be in (0, 1), got {EwmaAlpha}.");
        if (SeasonalPeriod <= TimeSpan.Zero) throw new ArgumentException($"SeasonalPeriod must be > 0, got {SeasonalPeriod}.");
        if (SeasonalSlots is < 2 or > 1440) throw new ArgumentException($"SeasonalSlots must be in [2, 1440], got {SeasonalSlots}.");
        if (SeasonalAlpha is <= 0 or >= 1) throw new ArgumentException($"SeasonalAlpha must be in (0, 1), got {SeasonalAlpha}.");
        if (SpectralWindow is not (16 or 32 or 64)) throw new ArgumentException($"SpectralWindow must be 16, 32 or 64, got {SpectralWindow}.");
        if (CusumSlack < 0) throw new ArgumentException($"CusumSlack must be ≥ 0, got {CusumSlack}.");
        if (CusumLevel <= 0) throw new ArgumentException($"CusumLevel must be > 0, got {CusumLevel}.");
        if (ForestTrees is < 1 or > 256) throw new ArgumentException($"ForestTrees must be in [1, 256], got {ForestTrees}.");
        if (ForestBuffer is < 16 or > 4096) throw new ArgumentException($"ForestBuffer must be in [16, 4096], got {ForestBuffer}.");
        if (ForestShingle is < 1 or > 16) throw new ArgumentException($"ForestShingle must be in [1, 16], got {ForestShingle}.");
        if (CalibrationWindow is < 16 or > 8192) throw new ArgumentException($"CalibrationWindow must be in [16, 8192], got {CalibrationWindow}.");
        if (WarmUp < 0) throw new ArgumentException($"WarmUp must be ≥ 0, got {WarmUp}.");
        if (Refractory < 0) throw new ArgumentException($"Refractory must be ≥ 0, got {Refractory}.");
        return this;
    }
}
