using Platform.Engine.Checkpoints;

namespace Platform.Operators.Anomaly.Detectors;

/// <summary>
/// Robust z-score: |x − median| / (1.4826 · MAD) over the previous <c>window</c> points (sorted ring,
/// O(log w) search + a w-bounded block move per point). Scores the point against the window before
/// adding it, so the point never hides itself.
/// </summary>
internal sealed class RobustZScoreDetector(int window)
{
    private readonly SortedWindow _window = new(window);

    public double Median { get; private set; }
    public double Scale { get; private set; }

    public double Update(double value)
    {
        var score = 0.0;
        if (_window.Count >= 8)
        {
            var med = _window.Median;
            // MAD is 0 on data that repeats one value more than half the time (a quantised CPU %, a
            // flat line with blips): floor it by the 10–90% spread and by 1% of the full range.
            var scale = Math.Max(1.4826 * _window.Mad(med), (_window.Quantile(0.9) - _window.Quantile(0.1)) / 2.5631);
            var floor = Math.Max(Scores.Floor(med), 0.01 * (_window.Quantile(1) - _window.Quantile(0)));
            scale = Math.Max(scale, floor);
            Median = med;
            Scale = scale;
            score = Scores.Squash(Math.Abs(value - med) / Scale, 3);
        }
        else
        {
            Median = value;
            Scale = 0;
        }
        _window.Add(value);
        return score;
    }

    public void Write(SnapshotWriter w) => _window.Write(w);

    public void Read(ref SnapshotReader r) => _window.Read(ref r);
}
