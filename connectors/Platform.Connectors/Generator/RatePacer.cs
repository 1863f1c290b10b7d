namespace Platform.Connectors.Generator;

/// <summary>
/// Paces a producer to a steady rate of units (records or bytes) per second by awaiting
/// <see cref="Task.Delay(TimeSpan, TimeProvider, CancellationToken)"/> on the given clock: no spinning, no blocked thread.
/// </summary>
internal sealed class RatePacer
{
    private static readonly TimeSpan Slack = TimeSpan.FromMilliseconds(1);

    /// <summary>How far behind schedule the producer may fall and then catch up in a burst; older debt is forgiven.</summary>
    private static readonly TimeSpan MaxBurst = TimeSpan.FromSeconds(1);

    private readonly double _unitsPerSecond;
    private readonly TimeProvider _clock;
    private long _start;
    private bool _started;

    public RatePacer(double unitsPerSecond, TimeProvider clock)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(unitsPerSecond);
        _unitsPerSecond = unitsPerSecond;
        _clock = clock;
    }

    /// <summary>How many units a step may take so that steps come about every 10 ms (at least 1).</summary>
    public long UnitsPerStep => Math.Max(1, (long)(_unitsPerSecond / 100));

    /// <summary>Waits until <paramref name="unitsSoFar"/> units are due (the first call starts the clock).</summary>
    public ValueTask WaitAsync(long unitsSoFar, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (!_started)
        {
            _start = _clock.GetTimestamp();
            _started = true;
            return ValueTask.CompletedTask;
        }
        var due = TimeSpan.FromSeconds(unitsSoFar / _unitsPerSecond);
        var ahead = due - _clock.GetElapsedTime(_start);
        if (ahead < -MaxBurst)
        {
            // A slow consumer held us back: move the schedule so the catch-up burst lasts at most MaxBurst.
            var forgive = -ahead - MaxBurst;
            _start += (long)(forgive.TotalSeconds * _clock.TimestampFrequency);
            return ValueTask.CompletedTask;
        }
        return ahead > Slack ? new ValueTask(Task.Delay(ahead, _clock, cancellationToken)) : ValueTask.CompletedTask;
    }
}
