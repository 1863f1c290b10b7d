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
            var scale = 1.4826 * _window.Mad(med);
            var floor = Scores.Floor(med) + 0.05 * Math.Max(0, _window.Quantile(1) - _window.Quantile(0)) / Math.Max(1, _window.Count);
            Median = med;
            Scale = Math.Max(scale, floor);
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

    public void Write(StateWriter w) => _window.Write(w);

    public void Read(ref StateReader r) => _window.Read(ref r);
}
