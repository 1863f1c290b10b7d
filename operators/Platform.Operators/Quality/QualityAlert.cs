namespace Platform.Operators.Quality;

/// <summary>How urgent a data-quality finding is (mirrors the alert sinks' severities).</summary>
public enum QualitySeverity
{
    /// <summary>Worth a look.</summary>
    Info = 0,
    /// <summary>Out of the expected range.</summary>
    Warning = 1,
    /// <summary>Needs action now.</summary>
    Critical = 2,
}

/// <summary>
/// One finding of a data-quality monitor: the Monte Carlo checks (freshness, volume, schema), done
/// inside the stream. Findings are rare, so this is a class; the host turns it into an alert for the
/// dashboard and the notification sinks.
/// </summary>
/// <param name="Monitor">The monitor that raised it: <c>freshness</c>, <c>volume</c> or <c>schema-drift</c>.</param>
/// <param name="Subject">What it is about: a source, a key, a field.</param>
/// <param name="Time">When it was raised (the monitor's clock).</param>
/// <param name="Observed">The observed value (seconds of silence, records per window, share of nulls…).</param>
/// <param name="ExpectedLow">Lower end of what was expected.</param>
/// <param name="ExpectedHigh">Upper end of what was expected.</param>
/// <param name="Message">A short human description.</param>
/// <param name="Severity">How urgent.</param>
public sealed record QualityAlert(
    string Monitor,
    string Subject,
    DateTimeOffset Time,
    double Observed,
    double ExpectedLow,
    double ExpectedHigh,
    string Message,
    QualitySeverity Severity);
