using Platform.Host.Config;
using Platform.Sinks.Alerts;

namespace Platform.Host.Running;

/// <summary>Builds the notification sink of a pipeline's <c>alerts</c> section, resolving its secrets (env or secrets file) now.</summary>
internal static class AlertSinks
{
    /// <summary>Null when the YAML names no alert sink (alerts then reach the dashboard only).</summary>
    /// <exception cref="InvalidOperationException">A secret's variable is unset or its file lacks the key.</exception>
    public static AlertNotificationSink? Create(AlertsConfig? config, HttpClient http)
    {
        if (config is null || config.Sinks.Count == 0) return null;
        var notifiers = config.Sinks.Select(s => s switch
        {
            WebhookAlertConfig w => (IAlertNotifier)new WebhookNotifier(new WebhookOptions { Url = new Uri(w.Url), SigningSecret = Resolve(w.Secret) }, http),
            TwilioAlertConfig t => new TwilioSmsNotifier(new TwilioSmsOptions
            {
                AccountSid = t.AccountSid,
                AuthToken = Resolve(t.Token),
                From = t.From,
                To = [.. t.To],
                BaseUrl = t.BaseUrl is null ? TwilioSmsOptions.DefaultBaseUrl : new Uri(t.BaseUrl),
            }, http),
            SendGridAlertConfig g => new SendGridEmailNotifier(new SendGridEmailOptions
            {
                ApiKey = Resolve(g.ApiKey),
                From = g.From,
                To = [.. g.To],
                Subject = g.Subject,
                BaseUrl = g.BaseUrl is null ? SendGridEmailOptions.DefaultBaseUrl : new Uri(g.BaseUrl),
            }, http),
            _ => throw new NotSupportedException($"Alert sink type '{s.Type}'."),
        }).ToArray();
        return new AlertNotificationSink(new AlertNotificationOptions
        {
            Template = config.Template,
            MinimumSeverity = config.MinSeverity,
            Throttle = new AlertThrottleOptions
            {
                Burst = config.Burst,
                RefillInterval = config.Refill,
                DeduplicationWindow = config.Dedup,
                QuietPeriod = config.Quiet,
            },
        }, notifiers);
    }

    /// <summary>Resolves a reference; the message names the reference, never a value.</summary>
    public static Secret Resolve(string reference)
    {
        try
        {
            return Secret.Resolve(reference);
        }
        catch (Exception e) when (e is ArgumentException or IOException or UnauthorizedAccessException)
        {
            throw new InvalidOperationException($"cannot read secret {reference}: {e.Message}", e);
        }
    }
}
