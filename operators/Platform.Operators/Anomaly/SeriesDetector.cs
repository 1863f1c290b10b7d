using Platform.Operators.Anomaly.Detectors;

namespace Platform.Operators.Anomaly;

/// <summary>What one point of a series scored.</summary>
internal struct PointScore
{
    public double Score;
    public double ExpectedLow;
    public double ExpectedHigh;
    public AnomalyDetectors Fired;
}

/// <summary>
/// The detectors of one series (one key, or one axis of a key) and their ensemble. Each detector's
/// raw score is calibrated to its percentile rank among its own recent raw scores, so scores of
/// different detectors are comparable; the ensemble is the strongest calibrated score, confirmed by
/// the mean of the rest (see <see cref="Combine"/>). With a single detector its raw score is reported.
/// All memory is allocated when the series is created; a point allocates nothing.
/// </summary>
internal sealed class SeriesDetector
{
    private const int Count = 6;
    private readonly AnomalyDetectorOptions _options;
    private readonly RobustZScoreDetector? _robust;
    private readonly EwmaDetector? _ewma;
    private readonly SeasonalDetector? _seasonal;
    private readonly SpectralResidualDetector? _spectral;
    private readonly CusumDetector? _cusum;
    private readonly IsolationForestDetector? _forest;
    private readonly SortedWindow?[] _calibration = new SortedWindow?[Count];
    private readonly bool _single;
    private long _points;
    private double _peak;
    private int _since = int.MaxValue;

    public SeriesDetector(AnomalyDetectorOptions options, ulong seed)
    {
        _options = options;
        var d = options.Detectors;
        if ((d & AnomalyDetectors.RobustZ) != 0) _robust = new RobustZScoreDetector(options.RobustWindow);
        if ((d & AnomalyDetectors.Ewma) != 0) _ewma = new EwmaDetector(options.EwmaAlpha);
        if ((d & AnomalyDetectors.Seasonal) != 0) _seasonal = new SeasonalDetector(options.SeasonalPeriod, options.SeasonalSlots, options.SeasonalAlpha);
        if ((d & AnomalyDetectors.SpectralResidual) != 0) _spectral = new SpectralResidualDetector(options.SpectralWindow);
        if ((d & AnomalyDetectors.ChangePoint) != 0) _cusum = new CusumDetector(options.CusumSlack, options.CusumLevel);
        if ((d & AnomalyDetectors.IsolationForest) != 0) _forest = new IsolationForestDetector(options.ForestTrees, options.ForestBuffer, options.ForestShingle, seed);
        _single = System.Numerics.BitOperations.PopCount((uint)d) == 1;
        if (!_single)
        {
            for (var i = 0; i < Count; i++)
            {
                if (((int)d & (1 << i)) != 0) _calibration[i] = new SortedWindow(options.CalibrationWindow);
            }
        }
    }

    public PointScore Update(long time, double value, DetectorScratch scratch)
    {
        Span<double> raw = stackalloc double[Count];
        raw.Fill(double.NaN);
        var result = default(PointScore);
        if (_robust is not null)
        {
            raw[0] = _robust.Update(value);
            result.ExpectedLow = _robust.Median - 3 * _robust.Scale;
            result.ExpectedHigh = _robust.Median + 3 * _robust.Scale;
        }
        if (_ewma is not null)
        {
            if (_robust is null)
            {
                result.ExpectedLow = _ewma.Mean - 3 * _ewma.Sigma;
                result.ExpectedHigh = _ewma.Mean + 3 * _ewma.Sigma;
            }
            raw[1] = _ewma.Update(value);
        }
        if (_seasonal is not null)
        {
            raw[2] = _seasonal.Update(time, value);
            if (_robust is null && _ewma is null)
            {
                result.ExpectedLow = _seasonal.ExpectedMean - 3 * _seasonal.ExpectedSigma;
                result.ExpectedHigh = _seasonal.ExpectedMean + 3 * _seasonal.ExpectedSigma;
            }
        }
        if (_spectral is not null) raw[3] = _spectral.Update(value, scratch.Fft);
        if (_cusum is not null) raw[4] = _cusum.Update(value);
        if (_forest is not null) raw[5] = _forest.Update(value, scratch.Sample, scratch.Point);

        _points++;
        var threshold = _options.Threshold;
        double score;
        if (_single)
        {
            score = 0;
            for (var i = 0; i < Count; i++)
            {
                if (double.IsNaN(raw[i])) continue;
                score = raw[i];
                if (score >= threshold) result.Fired |= (AnomalyDetectors)(1 << i);
            }
        }
        else
        {
            Span<double> calibrated = stackalloc double[Count];
            for (var i = 0; i < Count; i++)
            {
                var window = _calibration[i];
                if (window is null || double.IsNaN(raw[i]))
                {
                    calibrated[i] = double.NaN;
                    continue;
                }
                calibrated[i] = Calibrate(window, raw[i]);
                window.Add(raw[i]);
                if (calibrated[i] >= threshold) result.Fired |= (AnomalyDetectors)(1 << i);
            }
            score = Combine(calibrated);
        }
        if (_points <= _options.WarmUp) score = 0;
        result.Score = Refract(Math.Clamp(score, 0, 1));
        return result;
    }

    /// <summary>
    /// Percentile rank of <paramref name="raw"/> among the detector's recent raw scores; above the
    /// recent maximum it keeps rising toward 1 with the raw score, so fresh extremes stay ordered.
    /// </summary>
    private static double Calibrate(SortedWindow window, double raw)
    {
        if (window.Count < 16) return 0;
        var max = window.Quantile(1);
        var n = window.Count;
        if (raw <= max) return Math.Min(window.Rank(raw), 1 - 1.0 / n);
        var headroom = Math.Max(1e-12, 1 - max);
        return 1 - (1.0 / n) * Math.Clamp((1 - raw) / headroom, 0, 1);
    }

    /// <summary>The strongest calibrated detector.</summary>
    private static double Combine(ReadOnlySpan<double> calibrated)
    {
        var best = 0.0;
        foreach (var c in calibrated)
        {
            if (!double.IsNaN(c) && c > best) best = c;
        }
        return best;
    }

    /// <summary>
    /// One alert per event: for <see cref="AnomalyDetectorOptions.Refractory"/> points after a score at or
    /// above the threshold, a later score must beat that alert's score to stay above the threshold;
    /// otherwise it is scaled below it (order among suppressed points is kept).
    /// </summary>
    private double Refract(double score)
    {
        var k = _options.Refractory;
        var threshold = _options.Threshold;
        if (k == 0 || score < threshold)
        {
            if (_since < k) _since++;
            return score;
        }
        if (_since < k && score <= _peak)
        {
            _since++;
            return score * threshold * 0.99;
        }
        _peak = score;
        _since = 0;
        return score;
    }

    public void Write(StateWriter w)
    {
        w.Long(_points);
        w.Double(_peak);
        w.Int(_since);
        _robust?.Write(w);
        _ewma?.Write(w);
        _seasonal?.Write(w);
        _spectral?.Write(w);
        _cusum?.Write(w);
        _forest?.Write(w);
        foreach (var c in _calibration) c?.Write(w);
    }

    public void Read(ref StateReader r)
    {
        _points = r.Long();
        _peak = r.Double();
        _since = r.Int();
        _robust?.Read(ref r);
        _ewma?.Read(ref r);
        _seasonal?.Read(ref r);
        _spectral?.Read(ref r);
        _cusum?.Read(ref r);
        _forest?.Read(ref r);
        foreach (var c in _calibration) c?.Read(ref r);
    }
}
