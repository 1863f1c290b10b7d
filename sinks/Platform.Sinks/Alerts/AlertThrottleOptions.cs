namespace Platform.Sinks.Alerts;

/// <summary>
/// Limits on notifications per key, so a flapping sensor does not send a thousand messages. Checked
/// in this order: de-duplication, quiet period, then the token bucket (a hard ceiling).
/// </summary>
public sealed record AlertThrottleOptions
{
    /// <summary>Default <see cref="Burst"/>: 3 notifications.</summary>
    public const int DefaultBurst = 3;
    /// <summary>Default <see cref="RefillInterval"/>: one token every 10 minutes.</summary>
    public static readonly TimeSpan DefaultRefillInterval = TimeSpan.FromMinutes(10);
    /// <summary>Default <see cref="DeduplicationWindow"/>: 5 minutes.</summary>
    public static readonly TimeSpan DefaultDeduplicationWindow = TimeSpan.FromMinutes(5);
    /// <summary>Default <see cref="QuietPeriod"/>: 1 minute.</summary>
    public static readonly TimeSpan DefaultQuietPeriod = TimeSpan.FromMinutes(1);
    /// <summary>Default <see cref="MaxTrackedKeys"/>.</summary>
    public const int DefaultMaxTrackedKeys = 100_000;

    /// <summary>Token-bucket size per key: at most this many notifications in a burst. Default 3.</summary>
    public int Burst { get; init; } = DefaultBurst;

    /// <summary>One token returns to a key's bucket per this interval. Default 10 min.</summary>
    public TimeSpan RefillInterval { get; init; } = DefaultRefillInterval;

    /// <summary>An alert with the same key, severity and source as one notified less than this ago is dropped. Default 5 min; zero = off.</summary>
    public TimeSpan DeduplicationWindow { get; init; } = DefaultDeduplicationWindow;

    /// <summary>After a notification for a key, nothing more for that key for this long unless the severity rises. Default 1 min; zero = off.</summary>
    public TimeSpan QuietPeriod { get; init; } = DefaultQuietPeriod;

    /// <summary>Keys whose state is kept; past it, idle keys are forgotten first. Default 100,000.</summary>
    public int MaxTrackedKeys { get; init; } = DefaultMaxTrackedKeys;

    /// <summary>Checks the settings.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A setting is out of range.</exception>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(Burst, 1, nameof(Burst));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(RefillInterval, TimeSpan.Zero, nameof(RefillInterval));
        ArgumentOutOfRangeException.ThrowIfLessThan(DeduplicationWindow, TimeSpan.Zero, nameof(DeduplicationWindow));
        ArgumentOutOfRangeException.ThrowIfLessThan(QuietPeriod, TimeSpan.Zero, nameof(QuietPeriod));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxTrackedKeys, 1, nameof(MaxTrackedKeys));
    }
}
