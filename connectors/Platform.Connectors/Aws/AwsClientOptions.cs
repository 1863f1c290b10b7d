using System.Diagnostics.Metrics;

namespace Platform.Connectors.Aws;

/// <summary>
/// Where and how an AWS JSON-protocol client calls: region, endpoint, credentials, retry and circuit
/// breaker. Immutable; <see cref="Validate"/> checks it and <see cref="CreateClient"/> builds the client.
/// </summary>
public sealed record AwsClientOptions
{
    /// <summary>Default region.</summary>
    public const string DefaultRegion = "us-east-1";
    /// <summary>Default retries of a whole call after its first attempt.</summary>
    public const int DefaultMaxRetryAttempts = 4;
    /// <summary>Default base delay of the exponential backoff.</summary>
    public static readonly TimeSpan DefaultBaseDelay = TimeSpan.FromMilliseconds(100);
    /// <summary>Default cap of the exponential backoff.</summary>
    public static readonly TimeSpan DefaultMaxDelay = TimeSpan.FromSeconds(5);
    /// <summary>Default time limit of one attempt.</summary>
    public static readonly TimeSpan DefaultAttemptTimeout = TimeSpan.FromSeconds(30);
    /// <summary>Default share of failed attempts in the sampling window that opens the breaker.</summary>
    public const double DefaultBreakerFailureRatio = 0.5;
    /// <summary>Default attempts in the sampling window before the breaker may open.</summary>
    public const int DefaultBreakerMinimumThroughput = 20;
    /// <summary>Default time the breaker stays open.</summary>
    public static readonly TimeSpan DefaultBreakDuration = TimeSpan.FromSeconds(5);
    /// <summary>Default connections per endpoint.</summary>
    public const int DefaultMaxConnections = 16;

    /// <summary>AWS region, e.g. eu-west-1 (used in the signature's scope and the default endpoint).</summary>
    public string Region { get; init; } = DefaultRegion;

    /// <summary>Endpoint override (kinesis-local, a VPC endpoint); default https://{service}.{region}.amazonaws.com.</summary>
    public Uri? Endpoint { get; init; }

    /// <summary>Credentials from the pipeline config; when null they are resolved from the environment or a profile.</summary>
    public AwsCredentials? Credentials { get; init; }

    /// <summary>Profile name for the shared credentials file (default AWS_PROFILE, then "default").</summary>
    public string? Profile { get; init; }

    /// <summary>Retries of a whole call (transport error, 5xx, throttling) after the first attempt. Default 4.</summary>
    public int MaxRetryAttempts { get; init; } = DefaultMaxRetryAttempts;

    /// <summary>Base delay of exponential backoff with full jitter. Default 100 ms.</summary>
    public TimeSpan BaseDelay { get; init; } = DefaultBaseDelay;

    /// <summary>Cap of the backoff delay. Default 5 s.</summary>
    public TimeSpan MaxDelay { get; init; } = DefaultMaxDelay;

    /// <summary>Time limit of one attempt. Default 30 s.</summary>
    public TimeSpan AttemptTimeout { get; init; } = DefaultAttemptTimeout;

    /// <summary>Share of failed attempts (transport errors and 5xx, not throttles) that opens the circuit breaker. Default 0.5.</summary>
    public double BreakerFailureRatio { get; init; } = DefaultBreakerFailureRatio;

    /// <summary>Attempts within 30 s before the breaker may open. Default 20.</summary>
    public int BreakerMinimumThroughput { get; init; } = DefaultBreakerMinimumThroughput;

    /// <summary>How long the breaker stays open. Default 5 s.</summary>
    public TimeSpan BreakDuration { get; init; } = DefaultBreakDuration;

    /// <summary>HTTP connections per endpoint. Default 16.</summary>
    public int MaxConnections { get; init; } = DefaultMaxConnections;

    /// <summary>Meter for the per-call metrics; when null the client owns one named "Platform.Aws".</summary>
    public Meter? Meter { get; init; }

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid setting.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(Region)) throw new ArgumentException("Region must be set, e.g. us-east-1.", nameof(Region));
        if (Endpoint is { IsAbsoluteUri: false }) throw new ArgumentException("Endpoint must be an absolute http(s) URI.", nameof(Endpoint));
        if (MaxRetryAttempts is < 0 or > 100) throw new ArgumentException("MaxRetryAttempts must be 0–100.", nameof(MaxRetryAttempts));
        if (BaseDelay <= TimeSpan.Zero || MaxDelay < BaseDelay) throw new ArgumentException("BaseDelay must be > 0 and ≤ MaxDelay.", nameof(BaseDelay));
        if (AttemptTimeout <= TimeSpan.Zero) throw new ArgumentException("AttemptTimeout must be > 0.", nameof(AttemptTimeout));
        if (BreakerFailureRatio is <= 0 or > 1) throw new ArgumentException("BreakerFailureRatio must be in (0, 1].", nameof(BreakerFailureRatio));
        if (BreakerMinimumThroughput < 2) throw new ArgumentException("BreakerMinimumThroughput must be ≥ 2.", nameof(BreakerMinimumThroughput));
        if (BreakDuration < TimeSpan.FromMilliseconds(500)) throw new ArgumentException("BreakDuration must be ≥ 500 ms.", nameof(BreakDuration));
        if (MaxConnections < 1) throw new ArgumentException("MaxConnections must be ≥ 1.", nameof(MaxConnections));
    }

    /// <summary>The endpoint for <paramref name="service"/> ("kinesis", "events").</summary>
    public Uri EndpointFor(string service) => Endpoint ?? new Uri($"https://{service}.{Region}.amazonaws.com/");

    /// <summary>Validates and builds a client for <paramref name="service"/>. <paramref name="handler"/> replaces the socket handler (tests).</summary>
    public AwsJsonClient CreateClient(string service, HttpMessageHandler? handler = null)
    {
        Validate();
        return new AwsJsonClient(this, service, handler);
    }
}
