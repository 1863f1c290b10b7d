using System.Net;

namespace Platform.Connectors.Ingest;

/// <summary>A generic HMAC-signed webhook: <c>POST /v1/webhooks/{Name}</c>.</summary>
/// <param name="Name">The path segment and the <c>source</c> of stored events.</param>
/// <param name="Header">The header carrying the signature (e.g. <c>X-Hub-Signature-256</c>).</param>
/// <param name="Secret">The shared secret (HMAC-SHA256 key).</param>
/// <param name="Prefix">What precedes the hex digest in the header (e.g. <c>sha256=</c>; empty for bare hex).</param>
public sealed record WebhookOptions(string Name, string Header, string Secret, string Prefix = "sha256=");

/// <summary>Settings of an <see cref="IngestServer"/>. Immutable; <see cref="Validate"/> checks them.</summary>
public sealed record IngestOptions
{
    /// <summary>Default largest telemetry request body: 1 MiB.</summary>
    public const int DefaultMaxTelemetryBytes = 1 << 20;

    /// <summary>Default cap on a gzip body once decompressed: 4 MiB.</summary>
    public const int DefaultMaxDecompressedBytes = 4 << 20;

    /// <summary>Twitch's replay window: reject messages older than 10 minutes.</summary>
    public static readonly TimeSpan TwitchMaxAge = TimeSpan.FromMinutes(10);

    /// <summary>Address to listen on (default loopback).</summary>
    public IPAddress Address { get; init; } = IPAddress.Loopback;

    /// <summary>Port (0 = any free port; see <see cref="IngestServer.Port"/>).</summary>
    public int Port { get; init; }

    /// <summary>Segment write keys accepted as the HTTP Basic user; empty disables the Segment endpoints.</summary>
    public IReadOnlyList<string> WriteKeys { get; init; } = [];

    /// <summary>How long a <c>messageId</c> (Segment) is remembered for de-duplication.</summary>
    public TimeSpan DedupWindow { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>At most this many message ids remembered (oldest forgotten first).</summary>
    public int DedupCapacity { get; init; } = 1_000_000;

    /// <summary>Twitch EventSub secret; null disables <c>/v1/webhooks/twitch</c>.</summary>
    public string? TwitchSecret { get; init; }

    /// <summary>Generic signed webhooks.</summary>
    public IReadOnlyList<WebhookOptions> Webhooks { get; init; } = [];

    /// <summary>Accept <c>/v1/telemetry</c> (NDJSON).</summary>
    public bool Telemetry { get; init; } = true;

    /// <summary>Largest <c>/v1/telemetry</c> body (bytes).</summary>
    public int MaxTelemetryBytes { get; init; } = DefaultMaxTelemetryBytes;

    /// <summary>Largest webhook body (bytes).</summary>
    public int MaxWebhookBytes { get; init; } = 1 << 20;

    /// <summary>Cap on a gzip-encoded body after decompression (bytes); past it the request gets 413.</summary>
    public int MaxDecompressedBytes { get; init; } = DefaultMaxDecompressedBytes;

    /// <summary>Kestrel: maximum open connections.</summary>
    public long MaxConcurrentConnections { get; init; } = 10_000;

    /// <summary>Kestrel: time to receive the request headers.</summary>
    public TimeSpan RequestHeadersTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Kestrel: total size of the request line and headers (bytes).</summary>
    public int MaxRequestHeadersTotalSize { get; init; } = 16 * 1024;

    /// <summary>Kestrel: minimum body data rate (bytes/s, after a 5 s grace).</summary>
    public double MinRequestBodyBytesPerSecond { get; init; } = 1024;

    /// <summary>Kestrel: idle keep-alive timeout.</summary>
    public TimeSpan KeepAliveTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Seconds in the <c>Retry-After</c> header of 429/503 answers.</summary>
    public int RetryAfterSeconds { get; init; } = 1;

    /// <summary>Answers 503 while this returns true (e.g. the pipeline lags too far behind the log). Optional.</summary>
    public Func<bool>? IsOverloaded { get; init; }

    /// <summary>Clock for receivedAt, de-dup windows and Twitch timestamps.</summary>
    public TimeProvider Clock { get; init; } = TimeProvider.System;

    /// <summary>Checks the settings.</summary>
    /// <exception cref="ArgumentException">A setting is out of range.</exception>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfNegative(Port, nameof(Port));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(Port, 65535, nameof(Port));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxTelemetryBytes, 1024, nameof(MaxTelemetryBytes));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxDecompressedBytes, 1024, nameof(MaxDecompressedBytes));
        ArgumentOutOfRangeException.ThrowIfLessThan(DedupCapacity, 1, nameof(DedupCapacity));
        foreach (var w in Webhooks)
        {
            if (string.IsNullOrWhiteSpace(w.Name) || w.Name.Contains('/', StringComparison.Ordinal) || w.Name == "twitch") throw new ArgumentException($"Webhook name '{w.Name}' must be a non-empty path segment other than 'twitch'.");
            if (string.IsNullOrWhiteSpace(w.Header) || string.IsNullOrEmpty(w.Secret)) throw new ArgumentException($"Webhook '{w.Name}' needs a header and a secret.");
        }
    }
}
