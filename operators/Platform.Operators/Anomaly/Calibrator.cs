using Platform.Engine.Checkpoints;

namespace Platform.Operators.Anomaly;

/// <summary>
/// Calibrates one detector's raw scores so that detectors are comparable, in a few hundred bytes per
/// series. Raw scores are compared as odds x = r/(1 − r) (for the squashed z-scores that is z itself).
/// Below the recent maximum the score is the percentile of log x under a Gaussian fitted by
/// exponential weighting; above it, 1 − (reference / x) / n, where the reference is the larger of the
/// recent maximum (<see cref="BlockMax"/> over the last <c>window</c> scores) and a long-memory
/// maximum that halves every <c>memory</c> scores, and n = <c>window</c> — so a score means the same
/// early and late in a series, and a new extreme must beat what the series has done before.
/// </summary>
internal sealed class Calibrator
{
    private readonly BlockMax _recent;
    private readonly double _n;
    private readonly double _decay;
    private readonly double _memoryWeight;
    private readonly double _alpha;
    private double _longMax;
    private double _mean;
    private double _var;

    public Calibrator(int window, int memory, double memoryWeight)
    {
        _recent = new BlockMax(window);
        _n = window;
        _decay = memory > 0 ? Math.Pow(0.5, 1.0 / memory) : 0;
        _memoryWeight = memory > 0 ? memoryWeight : 0;
        _alpha = 2.0 / (window + 1);
    }

    public double Calibrate(double raw)
    {
        if (_recent.Count < 16) return 0;
        var x = Odds(raw);
        var recentMax = _recent.Max;
        if (x <= recentMax || recentMax <= 0)
        {
            var sd = Math.Sqrt(_var);
            var z = sd > 0 ? (Math.Log(x + 1e-12) - _mean) / sd : 0;
            return NormalCdf(z) * (1 - 1.0 / _n);
        }
        var reference = Math.Max(recentMax, _longMax * _memoryWeight);
        return 1 - (reference / x) / _n;
    }

    public void Add(double raw)
    {
        var x = Odds(raw);
        _recent.Add(x);
        _longMax = Math.Max(x, _longMax * _decay);
        var l = Math.Log(x + 1e-12);
        var a = Math.Max(_alpha, 1.0 / _recent.Count);
        var d = l - _mean;
        _mean += a * d;
        _var = (1 - a) * (_var + a * d * d);
    }

    private static double Odds(double raw) => raw >= 1 ? 1e12 : raw <= 0 ? 0 : raw / (1 - raw);

    /// <summary>Standard normal CDF (Abramowitz–Stegun 7.1.26 on erf, |error| &lt; 1.5e-7).</summary>
    private static double NormalCdf(double z)
    {
        var t = Math.Abs(z) / Math.Sqrt(2);
        var k = 1 / (1 + 0.3275911 * t);
        var erf = 1 - (((((1.061405429 * k - 1.453152027) * k) + 1.421413741) * k - 0.284496736) * k + 0.254829592) * k * Math.Exp(-t * t);
        return z >= 0 ? 0.5 * (1 + erf) : 0.5 * (1 - erf);
    }

    public void Write(SnapshotWriter w)
    {
        _recent.Write(w);
        w.F64(_longMax);
        w.F64(_mean);
        w.F64(_var);
    }

    public void Read(ref SnapshotReader r)
    {
        _recent.Read(ref r);
        _longMax = r.F64();
        _mean = r.F64();
        _var = r.F64();
    }
}
