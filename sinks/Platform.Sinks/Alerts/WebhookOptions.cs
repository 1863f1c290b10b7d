namespace Platform.Sinks.Alerts;

/// <summary>A generic JSON webhook, signed with HMAC-SHA256.</summary>
public sealed record WebhookOptions
{
    /// <summary>Header carrying <c>sha256=&lt;hex HMAC-SHA256(secret, timestamp + "." + body)&gt;</c>.</summary>
    public const string SignatureHeader = "X-Platform-Signature";
    /// <summary>Header carrying the Unix time in seconds that was signed.</summary>
    public const string TimestampHeader = "X-Platform-Timestamp";

    /// <summary>Where to POST.</summary>
    public required Uri Url { get; init; }
    /// <summary>The signing secret, from the environment or a secrets file.</summary>
    public required Secret SigningSecret { get; init; }
    /// <summary>Retries (network errors, 408, 429, 5xx).</summary>
    public HttpRetryOptions Retry { get; init; } = new();

    /// <summary>Checks the settings.</summary>
    public void Validate()
    {
        ArgumentNullException.ThrowIfNull(Url, nameof(Url));
        if (Url.Scheme != Uri.UriSchemeHttp && Url.Scheme != Uri.UriSchemeHttps)
        {
            throw new ArgumentException("The webhook URL must be http or https.", nameof(Url));
        }
        ArgumentNullException.ThrowIfNull(SigningSecret, nameof(SigningSecret));
        Retry.Validate();
    }
}
