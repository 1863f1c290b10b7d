namespace Platform.Sinks.Alerts;

/// <summary>
/// The most recent alerts of a running pipeline, kept in memory for the dashboard: a bounded ring
/// buffer that alert-producing stages publish into. Thread-safe; publishing never blocks on readers
/// for longer than a copy of one reference.
/// </summary>
public sealed class AlertFeed
{
    /// <summary>Alerts kept when no capacity is given.</summary>
    public const int DefaultCapacity = 200;

    private readonly Alert[] _ring;
    private readonly Lock _gate = new();
    private long _published;

    /// <summary>Creates a feed that keeps the last <paramref name="capacity"/> alerts.</summary>
    public AlertFeed(int capacity = DefaultCapacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _ring = new Alert[capacity];
    }

    /// <summary>How many alerts the feed keeps.</summary>
    public int Capacity => _ring.Length;

    /// <summary>Alerts published since the feed was created (including those no longer kept).</summary>
    public long Published => Interlocked.Read(ref _published);

    /// <summary>Adds an alert, dropping the oldest when full.</summary>
    public void Publish(Alert alert)
    {
        ArgumentNullException.ThrowIfNull(alert);
        lock (_gate)
        {
            _ring[_published % _ring.Length] = alert;
            _published++;
        }
    }

    /// <summary>Up to <paramref name="max"/> of the newest alerts, newest first.</summary>
    public IReadOnlyList<Alert> Recent(int max = int.MaxValue)
    {
        lock (_gate)
        {
            var n = (int)Math.Min(Math.Min(_published, _ring.Length), Math.Max(0, max));
            var result = new Alert[n];
            for (var i = 0; i < n; i++)
            {
                result[i] = _ring[(_published - 1 - i) % _ring.Length];
            }
            return result;
        }
    }
}
