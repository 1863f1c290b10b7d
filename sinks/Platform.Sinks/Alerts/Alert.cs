namespace Platform.Sinks.Alerts;

/// <summary>How urgent an alert is. Higher values are more urgent; an escalation may break a quiet period.</summary>
public enum AlertSeverity
{
    /// <summary>Worth a look.</summary>
    Info = 0,
    /// <summary>Out of the expected range.</summary>
    Warning = 1,
    /// <summary>Needs action now.</summary>
    Critical = 2,
}

/// <summary>
/// One alert raised by a stage (anomaly detector, geofence, churn score, data-quality monitor).
/// Alerts are rare compared with records, so this is a class: it crosses threads into the
/// <see cref="AlertFeed"/> and into notification sinks as it is.
/// </summary>
/// <param name="Key">The key that alerted, as text (e.g. <c>device-17/temperature</c>).</param>
/// <param name="Time">Event time of the alerting record.</param>
/// <param name="Value">The observed value.</param>
/// <param name="Score">The detector's score (higher = more anomalous).</param>
/// <param name="ExpectedLow">Lower end of the expected range.</param>
/// <param name="ExpectedHigh">Upper end of the expected range.</param>
/// <param name="Message">A short human description.</param>
/// <param name="Severity">How urgent.</param>
/// <param name="Source">The operator that raised it, e.g. <c>anomaly</c> or <c>freshness</c>.</param>
public sealed record Alert(
    string Key,
    DateTimeOffset Time,
    double Value,
    double Score,
    double ExpectedLow,
    double ExpectedHigh,
    string Message,
    AlertSeverity Severity,
    string Source);
