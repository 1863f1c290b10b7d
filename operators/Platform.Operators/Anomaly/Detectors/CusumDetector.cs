using Platform.Engine.Checkpoints;

namespace Platform.Operators.Anomaly.Detectors;

/// <summary>
/// Two-sided CUSUM change-point detector on values standardised by a slow EWMA reference
/// (mean and σ). The statistic S = max(S⁺, S⁻) grows while the level stays away from the reference;
/// score = S / (S + level). When S passes 2 × level the change is accepted: the reference jumps to
/// the recent (fast) mean and S restarts. O(1), a handful of doubles.
/// </summary>
internal sealed class CusumDetector(double slack, double level)
{
    private const double SlowAlpha = 0.01;
    private const double FastAlpha = 0.2;
    private double _mean;
    private double _var;
    private double _fast;
    private double _hi;
    private double _lo;
    private double _n;

    public double Update(double value)
    {
        if (double.IsNaN(value)) return 0;
        if (_n == 0)
        {
            _mean = _fast = value;
            _n = 1;
            return 0;
        }
        var sd = Math.Sqrt(_var) + Scores.Floor(_mean);
        var z = (value - _mean) / sd;
        z = Math.Clamp(z, -20, 20);
        var score = 0.0;
        if (_n >= 16)
        {
            _hi = Math.Max(0, _hi + z - slack);
            _lo = Math.Max(0, _lo - z - slack);
            var s = Math.Max(_hi, _lo);
            score = s / (s + level);
            if (s > 2 * level)
            {
                _mean = _fast;
                _hi = _lo = 0;
            }
        }
        var diff = value - _mean;
        var a = Math.Max(SlowAlpha, 1.0 / (_n + 1));
        var incr = a * diff;
        _mean += incr;
        _var = (1 - a) * (_var + diff * incr);
        _fast += FastAlpha * (value - _fast);
        _n++;
        return score;
    }

    public void Write(SnapshotWriter w)
    {
        w.F64(_mean);
        w.F64(_var);
        w.F64(_fast);
        w.F64(_hi);
        w.F64(_lo);
        w.F64(_n);
    }

    public void Read(ref SnapshotReader r)
    {
        _mean = r.F64();
        _var = r.F64();
        _fast = r.F64();
        _hi = r.F64();
        _lo = r.F64();
        _n = r.F64();
    }
}
