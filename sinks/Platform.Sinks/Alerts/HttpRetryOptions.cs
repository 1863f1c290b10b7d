namespace Platform.Sinks.Alerts;

/// <summary>Retries of a notification request: on a network error, 408, 429 or 5xx, with exponential backoff.</summary>
public sealed record HttpRetryOptions
{
    /// <summary>Default <see cref="MaxAttempts"/>.</summary>
    public const int DefaultMaxAttempts = 4;
    /// <summary>Default <see cref="InitialBackoff"/>: 500 ms.</summary>
    public static readonly TimeSpan DefaultInitialBackoff = TimeSpan.FromMilliseconds(500);
    /// <summary>Default <see cref="MaxBackoff"/>: 30 s.</summary>
    public static readonly TimeSpan DefaultMaxBackoff = TimeSpan.FromSeconds(30);
    /// <summary>Default <see cref="Timeout"/>: 10 s per attempt.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);

    /// <summary>Requests at most, the first included. Default 4.</summary>
    public int MaxAttempts { get; init; } = DefaultMaxAttempts;
    /// <summary>Wait before the first retry; doubles each retry. Default 500 ms.</summary>
    public TimeSpan InitialBackoff { get; init; } = DefaultInitialBackoff;
    /// <summary>Longest wait between attempts. Default 30 s.</summary>
    public TimeSpan MaxBackoff { get; init; } = DefaultMaxBackoff;
    /// <summary>Time limit of one attempt. Default 10 s.</summary>
    public TimeSpan Timeout { get; init; } = DefaultTimeout;

    /// <summary>Checks the settings.</summary>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxAttempts, 1, nameof(MaxAttempts));
        ArgumentOutOfRangeException.ThrowIfLessThan(InitialBackoff, TimeSpan.Zero, nameof(InitialBackoff));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxBackoff, InitialBackoff, nameof(MaxBackoff));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(Timeout, TimeSpan.Zero, nameof(Timeout));
    }
}
