using System.Diagnostics.Metrics;
using Platform.Sinks.DuckDb;

namespace Platform.Sinks.Alerts;

/// <summary>What happened to one alert.</summary>
/// <param name="Decision">The throttle's decision (or <see cref="ThrottleDecision.Send"/> when it went out).</param>
/// <param name="Results">One result per notifier; empty when the alert was held back.</param>
public sealed record AlertOutcome(ThrottleDecision Decision, IReadOnlyList<NotificationResult> Results)
{
    /// <summary>True when at least one channel delivered it.</summary>
    public bool Delivered => Results.Any(r => r.Delivered);
}

/// <summary>
/// Turns alerts into notifications: filters by severity, throttles per key (de-duplication, quiet
/// period, token bucket), renders the template, and sends through every configured channel.
/// Counts sent, suppressed and failed notifications on meter <c>Platform.Sinks</c>.
/// </summary>
public sealed class AlertNotificationSink : IDisposable
{
    private readonly AlertNotificationOptions _options;
    private readonly IReadOnlyList<IAlertNotifier> _notifiers;
    private readonly AlertThrottle _throttle;
    private readonly AlertTemplate _template;
    private readonly Meter? _ownedMeter;
    private readonly Counter<long> _sent;
    private readonly Counter<long> _suppressed;
    private readonly Counter<long> _failed;
    private readonly IReadOnlyList<Recording.AlertRecorder> _recorders;
    private long _sentCount;
    private long _suppressedCount;

    /// <summary>Creates the sink.</summary>
    /// <param name="options">Template and throttle (validated here).</param>
    /// <param name="notifiers">The channels; each alert that passes goes to all of them.</param>
    /// <param name="clock">Time for the throttle; defaults to <see cref="TimeProvider.System"/>.</param>
    /// <param name="meter">Meter for the counters; null = one owned by the sink.</param>
    /// <param name="recorders">Where every alert is kept before any filter or throttle (tables, topics); disposed with the sink.</param>
    public AlertNotificationSink(AlertNotificationOptions options, IEnumerable<IAlertNotifier> notifiers, TimeProvider? clock = null, Meter? meter = null,
        IEnumerable<Recording.AlertRecorder>? recorders = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(notifiers);
        options.Validate();
        _options = options;
        _notifiers = [.. notifiers];
        _recorders = recorders is null ? [] : [.. recorders];
        _throttle = new AlertThrottle(options.Throttle, clock);
        _template = AlertTemplate.Parse(options.Template);
        _ownedMeter = meter is null ? new Meter(SinkInstruments.MeterName) : null;
        var m = meter ?? _ownedMeter!;
        _sent = m.CreateCounter<long>("alerts.notified", "{alert}", "Alerts sent as notifications.");
        _suppressed = m.CreateCounter<long>("alerts.suppressed", "{alert}", "Alerts held back by de-duplication, quiet period or rate limit.");
        _failed = m.CreateCounter<long>("alerts.failed", "{notification}", "Notifications a channel did not accept after retries.");
    }

    /// <summary>Alerts that went out.</summary>
    public long Sent => Interlocked.Read(ref _sentCount);

    /// <summary>Alerts held back by the throttle or the severity filter.</summary>
    public long Suppressed => Interlocked.Read(ref _suppressedCount);

    /// <summary>Throttles, renders and sends one alert.</summary>
    public async Task<AlertOutcome> NotifyAsync(Alert alert, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(alert);
        if (alert.Severity < _options.MinimumSeverity)
        {
            Interlocked.Increment(ref _suppressedCount);
            return new AlertOutcome(ThrottleDecision.BelowMinimumSeverity, []);
        }
        var decision = _throttle.Decide(alert);
        if (decision != ThrottleDecision.Send)
        {
            Interlocked.Increment(ref _suppressedCount);
            _suppressed.Add(1, new KeyValuePair<string, object?>("reason", decision.ToString()));
            return new AlertOutcome(decision, []);
        }
        var text = _template.Render(alert);
        var results = await Task.WhenAll(_notifiers.Select(n => n.SendAsync(alert, text, cancellationToken)));
        Interlocked.Increment(ref _sentCount);
        _sent.Add(1);
        foreach (var r in results)
        {
            if (!r.Delivered) _failed.Add(1, new KeyValuePair<string, object?>("channel", r.Channel));
        }
        return new AlertOutcome(decision, results);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var r in _recorders) r.Dispose();
        _ownedMeter?.Dispose();
    }

    /// <summary>The recorders (every alert, unthrottled).</summary>
    public IReadOnlyList<Recording.AlertRecorder> Recorders => _recorders;

    /// <summary>True when there is a channel to notify (else alerts are only recorded).</summary>
    public bool HasNotifiers => _notifiers.Count > 0;

    /// <summary>Hands <paramref name="alert"/> to every recorder, before any filter or throttle. Non-blocking.</summary>
    public void Record(Alert alert)
    {
        foreach (var r in _recorders) r.Record(alert);
    }
}
