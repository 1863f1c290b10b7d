namespace Platform.Operators.Quality;

/// <summary>Settings of a <see cref="VolumeMonitor"/>.</summary>
public sealed record VolumeOptions
{
    /// <summary>Records are counted per window of this length (processing time). Default 10 s.</summary>
    public TimeSpan Window { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Width of the band in standard deviations of the learned window counts. Default 3.</summary>
    public double Tolerance { get; init; } = 3;

    /// <summary>The band is at least this share of the mean wide on each side, so a very steady stream does not alert on noise. Default 0.2.</summary>
    public double MinRelativeDeviation { get; init; } = 0.2;

    /// <summary>Full windows learned before the monitor judges any. Default 5.</summary>
    public int WarmUpWindows { get; init; } = 5;

    /// <summary>Weight of a new in-band window in the learned mean and variance. Default 0.1.</summary>
    public double LearningRate { get; init; } = 0.1;

    /// <summary>Throws <see cref="ArgumentException"/> naming an invalid setting.</summary>
    public VolumeOptions Validate()
    {
        if (Window < TimeSpan.FromMilliseconds(10)) throw new ArgumentException($"Window must be ≥ 10ms, got {Window}.");
        if (!(Tolerance > 0)) throw new ArgumentException($"Tolerance must be > 0, got {Tolerance}.");
        if (MinRelativeDeviation is < 0 or >= 1) throw new ArgumentException($"MinRelativeDeviation must be in [0, 1), got {MinRelativeDeviation}.");
        if (WarmUpWindows < 2) throw new ArgumentException($"WarmUpWindows must be ≥ 2, got {WarmUpWindows}.");
        if (LearningRate is <= 0 or > 1) throw new ArgumentException($"LearningRate must be in (0, 1], got {LearningRate}.");
        return this;
    }
}

/// <summary>
/// Volume of a stream: records per processing-time window, judged against a band learned from earlier
/// windows (mean ± tolerance × standard deviation). A window outside the band raises one alert and the
/// monitor stays "out of band" — learning nothing from the anomaly — until a window is back inside, so
/// a sustained drop is one alert, not one per window. <see cref="Observe"/> is one interlocked add per
/// chunk from any worker; <see cref="Check"/> runs on one timer, at least once per window.
/// </summary>
public sealed class VolumeMonitor
{
    private readonly string _subject;
    private readonly Action<QualityAlert> _raise;
    private readonly TimeProvider _clock;
    private readonly Lock _gate = new();
    private volatile VolumeOptions _options;
    private long _current;
    private DateTimeOffset _windowEnd;
    private bool _firstWindow = true;
    private int _learned;
    private double _mean;
    private double _variance;
    private bool _outOfBand;

    /// <summary>Creates a monitor of <paramref name="subject"/>; its first window starts now (and is not judged: it may be partial).</summary>
    public VolumeMonitor(string subject, VolumeOptions options, Action<QualityAlert> raise, TimeProvider? clock = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(subject);
        _subject = subject;
        _options = (options ?? throw new ArgumentNullException(nameof(options))).Validate();
        _raise = raise ?? throw new ArgumentNullException(nameof(raise));
        _clock = clock ?? TimeProvider.System;
        _windowEnd = _clock.GetUtcNow() + _options.Window;
    }

    /// <summary>The settings in effect; a hot reload replaces them and keeps the learned band.</summary>
    public VolumeOptions Options
    {
        get => _options;
        set => _options = (value ?? throw new ArgumentNullException(nameof(value))).Validate();
    }

    /// <summary>Windows learned so far.</summary>
    public int LearnedWindows { get { lock (_gate) return _learned; } }

    /// <summary>The learned mean records per window.</summary>
    public double Mean { get { lock (_gate) return _mean; } }

    /// <summary>True after an out-of-band window until a window is back in the band.</summary>
    public bool OutOfBand { get { lock (_gate) return _outOfBand; } }

    /// <summary>Counts <paramref name="records"/> into the current window.</summary>
    public void Observe(int records)
    {
        if (records > 0) Interlocked.Add(ref _current, records);
    }

    /// <summary>Closes every window that has ended and judges it.</summary>
    public void Check()
    {
        var now = _clock.GetUtcNow();
        lock (_gate)
        {
            var options = _options;
            while (now >= _windowEnd)
            {
                // Records of a window that elapsed unchecked land in the first one closed; later ones
                // are empty, and they were: the timer checks at least once per window.
                var count = Interlocked.Exchange(ref _current, 0);
                var end = _windowEnd;
                _windowEnd += options.Window;
                if (_firstWindow)
                {
                    _firstWindow = false;
                    continue;
                }
                Judge(count, end, options);
            }
        }
    }

    private void Judge(long count, DateTimeOffset end, VolumeOptions options)
    {
        if (_learned < options.WarmUpWindows)
        {
            // Welford while warming up: every window counts equally.
            _learned++;
            var delta = count - _mean;
            _mean += delta / _learned;
            _variance += (delta * (count - _mean) - _variance) / _learned;
            return;
        }
        var halfWidth = Math.Max(options.Tolerance * Math.Sqrt(_variance), options.MinRelativeDeviation * _mean);
        var low = Math.Max(0, _mean - halfWidth);
        var high = _mean + halfWidth;
        if (count >= low && count <= high)
        {
            _outOfBand = false;
            _learned++;
            var a = options.LearningRate;
            var d = count - _mean;
            _mean += a * d;
            _variance = (1 - a) * (_variance + a * d * d);
            return;
        }
        if (_outOfBand) return;
        _outOfBand = true;
        var drop = count < low;
        _raise(new QualityAlert("volume", _subject, end, count, low, high,
            FormattableString.Invariant($"{count:N0} records in {options.Window.TotalSeconds:0.###} s from {_subject}, expected {low:N0}–{high:N0} ({(drop ? "drop" : "spike")})"),
            drop && count == 0 ? QualitySeverity.Critical : QualitySeverity.Warning));
    }
}
