namespace Platform.Sinks.Alerts;

/// <summary>E-mail through SendGrid's v3 mail send API.</summary>
public sealed record SendGridEmailOptions
{
    /// <summary>Default <see cref="BaseUrl"/>.</summary>
    public static readonly Uri DefaultBaseUrl = new("https://api.sendgrid.com");
    /// <summary>Default <see cref="Subject"/> template.</summary>
    public const string DefaultSubject = "[{severity}] alert on {key}";

    /// <summary>The API key (Bearer token), from the environment or a secrets file.</summary>
    public required Secret ApiKey { get; init; }
    /// <summary>The sender address (a verified SendGrid sender).</summary>
    public required string From { get; init; }
    /// <summary>Recipients; one personalization addresses them all.</summary>
    public required IReadOnlyList<string> To { get; init; }
    /// <summary>Subject template (same placeholders as the message). Default <c>[{severity}] alert on {key}</c>.</summary>
    public string Subject { get; init; } = DefaultSubject;
    /// <summary>API root; tests point it at loopback. Default <c>https://api.sendgrid.com</c>.</summary>
    public Uri BaseUrl { get; init; } = DefaultBaseUrl;
    /// <summary>Retries.</summary>
    public HttpRetryOptions Retry { get; init; } = new();

    /// <summary>Checks the settings.</summary>
    public void Validate()
    {
        ArgumentNullException.ThrowIfNull(ApiKey, nameof(ApiKey));
        ArgumentException.ThrowIfNullOrWhiteSpace(From, nameof(From));
        if (To is null || To.Count == 0) throw new ArgumentException("At least one recipient is required.", nameof(To));
        AlertTemplate.Parse(Subject);
        Retry.Validate();
    }
}
