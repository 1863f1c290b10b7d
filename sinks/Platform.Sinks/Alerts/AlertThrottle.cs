namespace Platform.Sinks.Alerts;

/// <summary>Why the throttle let an alert through or held it back.</summary>
public enum ThrottleDecision
{
    /// <summary>Notify.</summary>
    Send,
    /// <summary>Same key, severity and source as a recent notification.</summary>
    Duplicate,
    /// <summary>The key is in its quiet period after a notification.</summary>
    QuietPeriod,
    /// <summary>The key's token bucket is empty.</summary>
    RateLimited,
    /// <summary>Below the sink's minimum severity (decided by <see cref="AlertNotificationSink"/>, not the throttle).</summary>
    BelowMinimumSeverity,
}

/// <summary>
/// Per-key de-duplication, quiet period and token bucket (see <see cref="AlertThrottleOptions"/>).
/// Thread-safe; time comes from the injected <see cref="TimeProvider"/>, so tests run a flapping key
/// through a minute in microseconds.
/// </summary>
public sealed class AlertThrottle
{
    private readonly AlertThrottleOptions _options;
    private readonly TimeProvider _clock;
    private readonly Dictionary<string, KeyState> _keys = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    /// <summary>Creates a throttle.</summary>
    public AlertThrottle(AlertThrottleOptions options, TimeProvider? clock = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        _clock = clock ?? TimeProvider.System;
    }

    /// <summary>Keys whose state is held.</summary>
    public int TrackedKeys { get { lock (_gate) return _keys.Count; } }

    /// <summary>Decides whether <paramref name="alert"/> is notified; a <see cref="ThrottleDecision.Send"/> takes a token.</summary>
    public ThrottleDecision Decide(Alert alert)
    {
        ArgumentNullException.ThrowIfNull(alert);
        var now = _clock.GetUtcNow();
        lock (_gate)
        {
            if (!_keys.TryGetValue(alert.Key, out var state))
            {
                if (_keys.Count >= _options.MaxTrackedKeys) Evict(now);
                state = new KeyState { Tokens = _options.Burst, RefilledAt = now };
                _keys[alert.Key] = state;
            }
            Refill(state, now);

            if (state.LastSent is { } last)
            {
                var since = now - last;
                if (since < _options.DeduplicationWindow && alert.Severity == state.LastSeverity &&
                    string.Equals(alert.Source, state.LastSource, StringComparison.Ordinal))
                {
                    return ThrottleDecision.Duplicate;
                }
                if (since < _options.QuietPeriod && alert.Severity <= state.LastSeverity)
                {
                    return ThrottleDecision.QuietPeriod;
                }
            }
            if (state.Tokens < 1)
            {
                return ThrottleDecision.RateLimited;
            }
            state.Tokens--;
            state.LastSent = now;
            state.LastSeverity = alert.Severity;
            state.LastSource = alert.Source;
            return ThrottleDecision.Send;
        }
    }

    private void Refill(KeyState state, DateTimeOffset now)
    {
        if (state.Tokens >= _options.Burst)
        {
            state.RefilledAt = now;
            return;
        }
        var earned = (long)((now - state.RefilledAt) / _options.RefillInterval);
        if (earned <= 0) return;
        state.Tokens = (int)Math.Min(_options.Burst, state.Tokens + earned);
        state.RefilledAt += _options.RefillInterval * earned;
    }

    private void Evict(DateTimeOffset now)
    {
        // Forget keys whose every limit has lapsed first; if none has, the oldest half.
        var horizon = new[] { _options.DeduplicationWindow, _options.QuietPeriod, _options.RefillInterval * _options.Burst }.Max();
        var idle = _keys.Where(kv => kv.Value.LastSent is not { } t || now - t >= horizon).Select(kv => kv.Key).ToList();
        if (idle.Count == 0)
        {
            idle = _keys.OrderBy(kv => kv.Value.LastSent ?? DateTimeOffset.MinValue).Take(Math.Max(1, _keys.Count / 2)).Select(kv => kv.Key).ToList();
        }
        foreach (var key in idle) _keys.Remove(key);
    }

    private sealed class KeyState
    {
        public int Tokens;
        public DateTimeOffset RefilledAt;
        public DateTimeOffset? LastSent;
        public AlertSeverity LastSeverity;
        public string? LastSource;
    }
}
