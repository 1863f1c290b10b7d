using Platform.Engine.Checkpoints;
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
/// raw score is calibrated against its own recent scores (<see cref="Calibrator"/>), so scores of
/// different detectors are comparable; the ensemble combines them (<see cref="EnsembleCombination"/>,
/// the strongest by default), then a refractory rule keeps one detection per event. The context
/// detector is not calibrated (its score is already a share of unexpected contexts, and it rests after
/// a report); it joins as 1 − (1 − c) · <see cref="AnomalyDetectorOptions.ContextScale"/>. With
/// <see cref="AnomalyDetectorOptions.Calibrate"/> off, the single detector's raw score is reported.
/// All memory is allocated when the series is created; a point allocates nothing.
/// </summary>
internal sealed class SeriesDetector
{
    public const int Count = 7;
    private const int ContextIndex = 6;
    private readonly AnomalyDetectorOptions _options;
    private readonly RobustZScoreDetector? _robust;
    private readonly EwmaDetector? _ewma;
    private readonly SeasonalDetector? _seasonal;
    private readonly SpectralResidualDetector? _spectral;
    private readonly CusumDetector? _cusum;
    private readonly IsolationForestDetector? _forest;
    private readonly ContextDetector? _context;
    private readonly Calibrator?[] _calibration = new Calibrator?[Count];
    private readonly bool _single;
    private long _points;
    private readonly BlockMax? _recent;

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
        if ((d & AnomalyDetectors.Context) != 0)
            _context = new ContextDetector(options.ContextBits, options.ContextRest, options.ContextQuiet, options.ContextLearn, options.ContextHeadroom, options.ContextGrowth, options.ContextCapacity);
        if (options.Refractory > 0) _recent = new BlockMax(options.Refractory);
        _single = options.Calibrate == false;
        if (!_single)
        {
            for (var i = 0; i < Count; i++)
            {
                if (((int)d & (1 << i)) != 0 && i != ContextIndex) _calibration[i] = new Calibrator(options.CalibrationWindow, options.CalibrationMemory, options.CalibrationMemoryWeight);
            }
        }
    }

    public PointScore Update(long time, double value, DetectorScratch scratch)
    {
        var raw = scratch.Raw; // shared scratch, not stackalloc: measured 5× faster on the spectral path
        Array.Fill(raw, double.NaN);
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
        if (_context is not null) raw[ContextIndex] = _context.Update(value);

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
            var calibrated = scratch.Calibrated;
            for (var i = 0; i < Count; i++)
            {
                var window = _calibration[i];
                if (i == ContextIndex && !double.IsNaN(raw[i]))
                {
                    calibrated[i] = 1 - (1 - raw[i]) * _options.ContextScale;
                    if (calibrated[i] >= threshold) result.Fired |= AnomalyDetectors.Context;
                    continue;
                }
                if (window is null || double.IsNaN(raw[i]))
                {
                    calibrated[i] = double.NaN;
                    continue;
                }
                calibrated[i] = window.Calibrate(raw[i]);
                if (_options.EnsembleWeights is { } weights) calibrated[i] = 1 - (1 - calibrated[i]) / weights[i];
                if (_points > _options.WarmUp) window.Add(raw[i]); // detectors still settling do not set the scale
                if (calibrated[i] >= threshold) result.Fired |= (AnomalyDetectors)(1 << i);
            }
            score = Combine(calibrated);
        }
        if (_points <= _options.WarmUp) score = 0;
        result.Score = Refract(Math.Clamp(score, 0, 1));
        return result;
    }

    /// <summary>Combines calibrated scores (NaN = detector not running) as <see cref="AnomalyDetectorOptions.Combination"/> says.</summary>
    private double Combine(ReadOnlySpan<double> calibrated)
    {
        double best = 0, second = 0, sum = 0;
        var n = 0;
        foreach (var c in calibrated)
        {
            if (double.IsNaN(c)) continue;
            n++;
            sum += c;
            if (c > best)
            {
                second = best;
                best = c;
            }
            else if (c > second) second = c;
        }
        return _options.Combination switch
        {
            EnsembleCombination.TopTwo => n >= 2 ? (best + second) / 2 : best,
            EnsembleCombination.Mean => n > 0 ? sum / n : 0,
            _ => best,
        };
    }

    /// <summary>
    /// One detection per event: a score is kept only when it beats every score of the previous
    /// <see cref="AnomalyDetectorOptions.Refractory"/> points; otherwise it is damped (halved), so a
    /// sustained deviation reports its onset and its escalations, not every point. Independent of
    /// any threshold, so a threshold chosen later (NAB's sweep) sees the same ranking.
    /// </summary>
    private double Refract(double score)
    {
        if (_recent is null) return score;
        var max = _recent.Max;
        _recent.Add(score);
        return score > max ? score : score * 0.5;
    }

    public void Write(SnapshotWriter w)
    {
        w.I64(_points);
        _recent?.Write(w);
        _robust?.Write(w);
        _ewma?.Write(w);
        _seasonal?.Write(w);
        _spectral?.Write(w);
        _cusum?.Write(w);
        _forest?.Write(w);
        _context?.Write(w);
        foreach (var c in _calibration) c?.Write(w);
    }

    public void Read(ref SnapshotReader r)
    {
        _points = r.I64();
        _recent?.Read(ref r);
        _robust?.Read(ref r);
        _ewma?.Read(ref r);
        _seasonal?.Read(ref r);
        _spectral?.Read(ref r);
        _cusum?.Read(ref r);
        _forest?.Read(ref r);
        _context?.Read(ref r);
        foreach (var c in _calibration) c?.Read(ref r);
    }
}
