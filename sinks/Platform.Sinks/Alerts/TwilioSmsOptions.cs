namespace Platform.Sinks.Alerts;

/// <summary>Twilio SMS through the Messages API (one request per recipient).</summary>
public sealed record TwilioSmsOptions
{
    /// <summary>Default <see cref="BaseUrl"/>.</summary>
    public static readonly Uri DefaultBaseUrl = new("https://api.twilio.com");
    /// <summary>Twilio's limit on a message body, in characters.</summary>
    public const int MaxBodyLength = 1600;

    /// <summary>The account SID (<c>AC…</c>); the user name of Basic auth and part of the URL.</summary>
    public required string AccountSid { get; init; }
    /// <summary>The auth token, from the environment or a secrets file.</summary>
    public required Secret AuthToken { get; init; }
    /// <summary>The sending number (E.164, e.g. <c>+15005550006</c>) or messaging service.</summary>
    public required string From { get; init; }
    /// <summary>Recipients (E.164).</summary>
    public required IReadOnlyList<string> To { get; init; }
    /// <summary>API root; tests point it at loopback. Default <c>https://api.twilio.com</c>.</summary>
    public Uri BaseUrl { get; init; } = DefaultBaseUrl;
    /// <summary>Retries.</summary>
    public HttpRetryOptions Retry { get; init; } = new();

    /// <summary>Checks the settings.</summary>
    public void Validate()
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(AccountSid, nameof(AccountSid));
        ArgumentNullException.ThrowIfNull(AuthToken, nameof(AuthToken));
        ArgumentException.ThrowIfNullOrWhiteSpace(From, nameof(From));
        if (To is null || To.Count == 0) throw new ArgumentException("At least one recipient is required.", nameof(To));
        Retry.Validate();
    }
}
