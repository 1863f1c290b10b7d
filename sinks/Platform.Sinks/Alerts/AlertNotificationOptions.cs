namespace Platform.Sinks.Alerts;

/// <summary>Settings of an <see cref="AlertNotificationSink"/>: the message template and the throttle.</summary>
public sealed record AlertNotificationOptions
{
    /// <summary>Message template; see <see cref="AlertTemplate"/>. Default <see cref="AlertTemplate.DefaultText"/>.</summary>
    public string Template { get; init; } = AlertTemplate.DefaultText;

    /// <summary>Per-key limits.</summary>
    public AlertThrottleOptions Throttle { get; init; } = new();

    /// <summary>Alerts below this severity are not notified (they still reach the dashboard). Default <see cref="AlertSeverity.Warning"/>.</summary>
    public AlertSeverity MinimumSeverity { get; init; } = AlertSeverity.Warning;

    /// <summary>Checks the settings.</summary>
    public void Validate()
    {
        AlertTemplate.Parse(Template);
        Throttle.Validate();
    }
}
