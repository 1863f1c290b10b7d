namespace Platform.Operators.Quality;

/// <summary>Settings of a <see cref="FreshnessMonitor"/>.</summary>
public sealed record FreshnessOptions
{
    /// <summary>Default <see cref="MaxSilence"/>: 30 s.</summary>
    public static readonly TimeSpan DefaultMaxSilence = TimeSpan.FromSeconds(30);

    /// <summary>A source that delivers no record for this long raises an alert. Default 30 s.</summary>
    public TimeSpan MaxSilence { get; init; } = DefaultMaxSilence;

    /// <summary>Throws <see cref="ArgumentException"/> naming an invalid setting.</summary>
    public FreshnessOptions Validate()
    {
        if (MaxSilence <= TimeSpan.Zero) throw new ArgumentException($"MaxSilence must be > 0, got {MaxSilence}.");
        return this;
    }
}

/// <summary>
/// Freshness of a source, in processing time: no record for <see cref="FreshnessOptions.MaxSilence"/>
/// raises one alert; the next record re-arms it. <see cref="Observe"/> is called by every parse worker
/// (one volatile write per chunk); <see cref="Check"/> by one timer.
/// </summary>
public sealed class FreshnessMonitor
{
    private readonly string _subject;
    private readonly Action<QualityAlert> _raise;
    private readonly TimeProvider _clock;
    private volatile FreshnessOptions _options;
    private long _lastArrivalTicks;
    private long _records;
    private bool _alerted;

    /// <summary>Creates a monitor of <paramref name="subject"/> (a source name); the silence counts from now.</summary>
    public FreshnessMonitor(string subject, FreshnessOptions options, Action<QualityAlert> raise, TimeProvider? clock = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(subject);
        _subject = subject;
        _options = (options ?? throw new ArgumentNullException(nameof(options))).Validate();
        _raise = raise ?? throw new ArgumentNullException(nameof(raise));
        _clock = clock ?? TimeProvider.System;
        _lastArrivalTicks = _clock.GetUtcNow().UtcTicks;
    }

    /// <summary>The settings in effect; a hot reload replaces them without losing what was observed.</summary>
    public FreshnessOptions Options
    {
        get => _options;
        set => _options = (value ?? throw new ArgumentNullException(nameof(value))).Validate();
    }

    /// <summary>Records observed.</summary>
    public long Records => Interlocked.Read(ref _records);

    /// <summary>True while the source is silent past the limit (alerted, not yet recovered).</summary>
    public bool Stale => Volatile.Read(ref _alerted);

    /// <summary>Notes that <paramref name="records"/> records arrived now.</summary>
    public void Observe(int records)
    {
        if (records <= 0) return;
        Interlocked.Add(ref _records, records);
        Volatile.Write(ref _lastArrivalTicks, _clock.GetUtcNow().UtcTicks);
    }

    /// <summary>Raises the alert when the source has been silent too long (once per silence).</summary>
    public void Check()
    {
        var now = _clock.GetUtcNow();
        var silence = TimeSpan.FromTicks(now.UtcTicks - Volatile.Read(ref _lastArrivalTicks));
        var limit = _options.MaxSilence;
        if (silence < limit)
        {
            Volatile.Write(ref _alerted, false);
            return;
        }
        if (Volatile.Read(ref _alerted)) return;
        Volatile.Write(ref _alerted, true);
        _raise(new QualityAlert("freshness", _subject, now, silence.TotalSeconds, 0, limit.TotalSeconds,
            FormattableString.Invariant($"no data from {_subject} for {silence.TotalSeconds:0.#} s (limit {limit.TotalSeconds:0.#} s)"),
            QualitySeverity.Critical));
    }
}
