using Platform.Engine.Checkpoints;

namespace Platform.Operators.Anomaly.Detectors;

/// <summary>Exponentially weighted mean and variance; scores |x − mean| / σ before updating. O(1), 3 doubles.</summary>
internal sealed class EwmaDetector(double alpha)
{
    private double _mean;
    private double _var;
    private double _n;

    public double Mean => _mean;
    public double Sigma => Math.Sqrt(_var);

    public double Update(double value)
    {
        if (double.IsNaN(value)) return 0;
        if (_n == 0)
        {
            _mean = value;
            _var = 0;
            _n = 1;
            return 0;
        }
        var diff = value - _mean;
        var sd = Math.Sqrt(_var) + Scores.Floor(_mean);
        var score = _n >= 8 ? Scores.Squash(Math.Abs(diff) / sd, 3) : 0;
        // Warm-up: plain running averages for the first 1/alpha points, then exponential weights.
        var a = Math.Max(alpha, 1.0 / (_n + 1));
        var incr = a * diff;
        _mean += incr;
        _var = (1 - a) * (_var + diff * incr);
        _n++;
        return score;
    }

    public void Write(SnapshotWriter w)
    {
        w.F64(_mean);
        w.F64(_var);
        w.F64(_n);
    }

    public void Read(ref SnapshotReader r)
    {
        _mean = r.F64();
        _var = r.F64();
        _n = r.F64();
    }
}
