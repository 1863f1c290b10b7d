namespace Platform.Sinks.Alerts;

/// <summary>One notification channel (SMS, e-mail, webhook).</summary>
public interface IAlertNotifier
{
    /// <summary>Channel name for counters and reports, e.g. <c>twilio</c>.</summary>
    string Name { get; }

    /// <summary>Sends one notification for <paramref name="alert"/> with the rendered <paramref name="text"/>.</summary>
    /// <returns>Whether it was delivered; failures are results, not exceptions, so one bad channel does not stop the others.</returns>
    Task<NotificationResult> SendAsync(Alert alert, string text, CancellationToken cancellationToken = default);
}

/// <summary>The outcome of one notification.</summary>
/// <param name="Channel">The notifier's name.</param>
/// <param name="Delivered">True when the API accepted it.</param>
/// <param name="Attempts">HTTP requests made (retries included).</param>
/// <param name="StatusCode">The last HTTP status, or 0 when no response came.</param>
/// <param name="Error">Why it failed; never contains a secret.</param>
public readonly record struct NotificationResult(string Channel, bool Delivered, int Attempts, int StatusCode, string? Error);
