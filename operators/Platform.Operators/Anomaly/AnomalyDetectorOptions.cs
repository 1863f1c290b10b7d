namespace Platform.Operators.Anomaly;

/// <summary>
/// Settings of the anomaly detectors and their ensemble. Immutable; one configuration serves every
/// key. Defaults are the configuration measured on NAB (see the README).
/// </summary>
public sealed record AnomalyDetectorOptions
{
    /// <summary>Default alert threshold on the output score.</summary>
    public const double DefaultThreshold = 0.999;

    /// <summary>Detectors that run. Scores are calibrated per detector; with two or more, the ensemble combines them.</summary>
    public AnomalyDetectors Detectors { get; init; } = AnomalyDetectors.All;
    /// <summary>Score at or above which a record is an alert (and a detector is said to have fired). Default 0.999 (NAB's optimal standard-profile threshold for the default ensemble was 0.9992).</summary>
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
    /// <summary>Seasonal baseline: slots per period, 2..1440. Default 48 (half hours of a day).</summary>
    public int SeasonalSlots { get; init; } = 48;
    /// <summary>Seasonal baseline: smoothing factor of each slot's mean and variance. Default 0.15.</summary>
    public double SeasonalAlpha { get; init; } = 0.15;
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
    /// <summary>Context detector: bits of the quantised value (2^bits − 1 bins over the learned range). Default 3.</summary>
    public int ContextBits { get; init; } = 3;
    /// <summary>Context detector: points after a score ≥ 0.75 during which it reports 0 (one report per event). Default 150.</summary>
    public int ContextRest { get; init; } = 150;
    /// <summary>Context detector: points it only learns from before reporting anything (its model needs a few cycles). Default 1000.</summary>
    public int ContextQuiet { get; init; } = 1000;
    /// <summary>Context detector: points whose min and max set the first range (then widened by <see cref="ContextHeadroom"/>). Default 300.</summary>
    public int ContextLearn { get; init; } = 300;
    /// <summary>Context detector: share of the learned range added on each side once learned. Default 0.5.</summary>
    public double ContextHeadroom { get; init; } = 0.5;
    /// <summary>Context detector: share of the range it grows by when a value leaves it. Default 1.</summary>
    public double ContextGrowth { get; init; } = 1;
    /// <summary>Context detector: contexts kept per series; when full, the least used half is forgotten. Default 4096.</summary>
    public int ContextCapacity { get; init; } = 4096;
    /// <summary>
    /// Context detector in the ensemble: its score c counts as 1 − (1 − c) · scale (its own scale is
    /// already a share of unexpected contexts; calibrating it against its history would wash out the rest period). Default 0.003.
    /// </summary>
    public double ContextScale { get; init; } = 0.003;
    /// <summary>Ensemble: recent raw scores per detector that calibrate it (percentile rank). Default 1024.</summary>
    public int CalibrationWindow { get; init; } = 1024;
    /// <summary>
    /// Ensemble: half-life (points) of each detector's long-memory maximum; a score must also beat
    /// <see cref="CalibrationMemoryWeight"/> × that maximum to calibrate above the recent window. 0 = off. Default 4096.
    /// </summary>
    public int CalibrationMemory { get; init; } = 4096;
    /// <summary>Ensemble: weight of the long-memory maximum (see <see cref="CalibrationMemory"/>). Default 1.</summary>
    public double CalibrationMemoryWeight { get; init; } = 1;
    /// <summary>
    /// Calibrate each detector's raw score against its own recent history (default on). Off: the
    /// raw score of the (then single) detector is reported, e.g. z / (z + 3) for the z-score detectors.
    /// </summary>
    public bool Calibrate { get; init; } = true;
    /// <summary>
    /// Ensemble: trust per detector, in <see cref="AnomalyDetectors"/> bit order (robust z, EWMA,
    /// seasonal, spectral, change point, forest); a calibrated score c counts as 1 − (1 − c)/weight.
    /// Null = all 1.
    /// </summary>
    public IReadOnlyList<double>? EnsembleWeights { get; init; }
    /// <summary>Ensemble: how calibrated detector scores combine. Default <see cref="EnsembleCombination.Max"/>.</summary>
    public EnsembleCombination Combination { get; init; } = EnsembleCombination.Max;
    /// <summary>Points scored before any score above zero is emitted (warm-up). Default 32.</summary>
    public int WarmUp { get; init; } = 32;
    /// <summary>
    /// One detection per event: a score that does not beat every score of the previous this-many
    /// points is halved. 0 turns it off. Default 200.
    /// </summary>
    public int Refractory { get; init; } = 200;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid setting.</summary>
    public AnomalyDetectorOptions Validate()
    {
        if (Detectors == AnomalyDetectors.None) throw new ArgumentException("Detectors must name at least one detector.");
        if (!Calibrate && System.Numerics.BitOperations.PopCount((uint)Detectors) != 1) throw new ArgumentException("Calibrate = false needs exactly one detector (uncalibrated scores of several cannot be combined).");
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
        if (ContextBits is < 1 or > 8) throw new ArgumentException($"ContextBits must be in [1, 8], got {ContextBits}.");
        if (ContextRest < 0) throw new ArgumentException($"ContextRest must be ≥ 0, got {ContextRest}.");
        if (ContextQuiet < 0) throw new ArgumentException($"ContextQuiet must be ≥ 0, got {ContextQuiet}.");
        if (ContextLearn < 1) throw new ArgumentException($"ContextLearn must be ≥ 1, got {ContextLearn}.");
        if (!(ContextHeadroom >= 0)) throw new ArgumentException($"ContextHeadroom must be ≥ 0, got {ContextHeadroom}.");
        if (!(ContextGrowth >= 0)) throw new ArgumentException($"ContextGrowth must be ≥ 0, got {ContextGrowth}.");
        if (ContextCapacity is < 64 or > 1 << 20) throw new ArgumentException($"ContextCapacity must be in [64, 1048576], got {ContextCapacity}.");
        if (ContextScale is <= 0 or > 1) throw new ArgumentException($"ContextScale must be in (0, 1], got {ContextScale}.");
        if (CalibrationWindow is < 16 or > 8192) throw new ArgumentException($"CalibrationWindow must be in [16, 8192], got {CalibrationWindow}.");
        if (EnsembleWeights is not null && (EnsembleWeights.Count != 6 || EnsembleWeights.Any(w => !(w > 0))))
            throw new ArgumentException("EnsembleWeights needs 6 positive weights (robust z, EWMA, seasonal, spectral, change point, forest).");
        if (WarmUp < 0) throw new ArgumentException($"WarmUp must be ≥ 0, got {WarmUp}.");
        if (Refractory < 0) throw new ArgumentException($"Refractory must be ≥ 0, got {Refractory}.");
        return this;
    }
}

/// <summary>How the ensemble combines its detectors' calibrated scores.</summary>
public enum EnsembleCombination
{
    /// <summary>The strongest detector.</summary>
    Max,
    /// <summary>The mean of the two strongest detectors (two must agree).</summary>
    TopTwo,
    /// <summary>The mean of every detector.</summary>
    Mean,
}
