using Platform.Host.Config;
using Platform.Sinks.Alerts;

namespace Platform.Host.Running;

/// <summary>Builds the notification sink of a pipeline's <c>alerts</c> section, resolving its secrets (env or secrets file) now.</summary>
internal static class AlertSinks
{
    /// <summary>Null when the YAML names no alert sink and no record target (alerts then reach the dashboard only).</summary>
    /// <exception cref="InvalidOperationException">A secret's variable is unset or its file lacks the key.</exception>
    public static AlertNotificationSink? Create(AlertsConfig? config, HttpClient http)
    {
        if (config is null || (config.Sinks.Count == 0 && config.Record.Count == 0)) return null;
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
        }, notifiers, recorders: OpenRecorders(config));
    }

    /// <summary>Opens every <c>alerts.record</c> target; on a failure closes the ones already open.</summary>
    private static List<Platform.Sinks.Alerts.Recording.AlertRecorder> OpenRecorders(AlertsConfig config)
    {
        var opened = new List<Platform.Sinks.Alerts.Recording.AlertRecorder>();
        try
        {
            foreach (var target in config.Record) opened.Add(target.Create());
            return opened;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            foreach (var r in opened) r.Dispose();
            throw new InvalidOperationException($"cannot open an alert record target: {e.Message}", e);
        }
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
