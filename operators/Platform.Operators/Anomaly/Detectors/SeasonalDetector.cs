using Platform.Engine.Checkpoints;

namespace Platform.Operators.Anomaly.Detectors;

/// <summary>
/// Seasonal baseline: the period (a day by default) is cut into slots by event time; each slot keeps
/// an exponentially weighted mean and variance of the values that fell in it. A point is scored by
/// its distance from its slot's mean in units of the slot's deviation (floored by the average
/// deviation over all slots, so a slot seen a few times does not explode). O(1) per point.
/// </summary>
internal sealed class SeasonalDetector
{
    private readonly double[] _mean;
    private readonly double[] _var;
    private readonly double[] _seen;
    private readonly long _slotMs;
    private readonly double _alpha;
    private double _globalVar;
    private double _globalN;

    public SeasonalDetector(TimeSpan period, int slots, double alpha)
    {
        _mean = new double[slots];
        _var = new double[slots];
        _seen = new double[slots];
        _slotMs = Math.Max(1, (long)period.TotalMilliseconds / slots);
        _alpha = alpha;
    }

    public double ExpectedMean { get; private set; }
    public double ExpectedSigma { get; private set; }

    public double Update(long time, double value)
    {
        if (double.IsNaN(value)) return 0;
        var slot = (int)(((time / _slotMs) % _mean.Length + _mean.Length) % _mean.Length);
        var score = 0.0;
        if (_seen[slot] == 0)
        {
            _mean[slot] = value;
            _seen[slot] = 1;
            ExpectedMean = value;
            ExpectedSigma = 0;
            return 0;
        }
        var mean = _mean[slot];
        var diff = value - mean;
        var sd = Math.Sqrt(Math.Max(_var[slot], 0.25 * _globalVar)) + Scores.Floor(mean);
        ExpectedMean = mean;
        ExpectedSigma = sd;
        if (_seen[slot] >= 3) score = Scores.Squash(Math.Abs(diff) / sd, 3);
        var a = Math.Max(_alpha, 1.0 / (_seen[slot] + 1));
        var incr = a * diff;
        _mean[slot] += incr;
        _var[slot] = (1 - a) * (_var[slot] + diff * incr);
        _seen[slot]++;
        var g = Math.Max(0.01, 1.0 / (_globalN + 1));
        _globalVar += g * (diff * diff - _globalVar);
        _globalN++;
        return score;
    }

    public void Write(SnapshotWriter w)
    {
        w.F64s(_mean);
        w.F64s(_var);
        w.F64s(_seen);
        w.F64(_globalVar);
        w.F64(_globalN);
    }

    public void Read(ref SnapshotReader r)
    {
        r.F64s(_mean);
        r.F64s(_var);
        r.F64s(_seen);
        _globalVar = r.F64();
        _globalN = r.F64();
    }
}
