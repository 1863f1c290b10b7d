using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging;
using Platform.Connectors.Aws;
using Platform.Engine.Contracts;
using Platform.Engine.DeadLetters;

namespace Platform.Sinks.EventBridge;

/// <summary>
/// Settings of an EventBridge sink: which bus, and the event's <c>Source</c>, <c>DetailType</c> and
/// <c>Resources</c>. Immutable; <see cref="Validate"/> checks it and <see cref="CreateSink{T, TWriter}"/> builds the sink.
/// </summary>
public sealed record EventBridgeSinkOptions
{
    /// <summary>The service name in the SigV4 scope.</summary>
    public const string Service = "events";
    /// <summary>Default calls in flight.</summary>
    public const int DefaultConcurrency = 2;
    /// <summary>Default attempts per entry (first included) before it goes to the DLQ.</summary>
    public const int DefaultMaxAttempts = 8;

    /// <summary>Event bus name or ARN. Default "default".</summary>
    public string EventBusName { get; init; } = "default";

    /// <summary>The events' Source, e.g. "platform.iot" (rules match on it).</summary>
    public required string Source { get; init; }

    /// <summary>The events' DetailType, e.g. "Telemetry Window Closed"; see <see cref="DetailTypeFrom"/>.</summary>
    public required string DetailType { get; init; }

    /// <summary>ARNs the events concern (optional).</summary>
    public IReadOnlyList<string> Resources { get; init; } = [];

    /// <summary>Sends each record's time as the event Time (when the detail writer has one). Default true.</summary>
    public bool IncludeTime { get; init; } = true;

    /// <summary>Client settings (region, endpoint, credentials, whole-call retries, breaker).</summary>
    public AwsClientOptions Client { get; init; } = new();

    /// <summary>PutEvents calls in flight. Default 2.</summary>
    public int Concurrency { get; init; } = DefaultConcurrency;

    /// <summary>Attempts per entry, first included, before a failing entry is dead-lettered. Default 8.</summary>
    public int MaxAttempts { get; init; } = DefaultMaxAttempts;

    /// <summary>Base delay of the backoff (full jitter) between retries of failed entries. Default 100 ms.</summary>
    public TimeSpan RetryBaseDelay { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Cap of that backoff. Default 5 s.</summary>
    public TimeSpan RetryMaxDelay { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Name for logs, metrics and dead letters; default "eventbridge:{EventBusName}".</summary>
    public string? Name { get; init; }

    /// <summary>
    /// A rule-friendly DetailType from config words: "telemetry.window_closed" or "telemetry window-closed"
    /// → "Telemetry Window Closed" (AWS's own style, e.g. "EC2 Instance State-change Notification").
    /// </summary>
    public static string DetailTypeFrom(string words)
    {
        var parts = words.Split(['.', '_', '-', ' '], StringSplitOptions.RemoveEmptyEntries);
        var sb = new StringBuilder();
        foreach (var p in parts)
        {
            if (sb.Length > 0) sb.Append(' ');
            sb.Append(char.ToUpper(p[0], CultureInfo.InvariantCulture)).Append(p.AsSpan(1));
        }
        return sb.ToString();
    }

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid setting.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(EventBusName)) throw new ArgumentException("EventBusName must be set (\"default\" for the default bus).", nameof(EventBusName));
        if (string.IsNullOrWhiteSpace(Source) || Source.Length > 256) throw new ArgumentException("Source must be 1–256 characters, e.g. platform.iot.", nameof(Source));
        if (Source.StartsWith("aws.", StringComparison.Ordinal)) throw new ArgumentException("Source must not start with \"aws.\" (reserved for AWS services).", nameof(Source));
        if (string.IsNullOrWhiteSpace(DetailType) || DetailType.Length > 128) throw new ArgumentException("DetailType must be 1–128 characters, e.g. \"Telemetry Window Closed\".", nameof(DetailType));
        if (Resources.Count > 10) throw new ArgumentException("At most 10 Resources.", nameof(Resources));
        Client.Validate();
        if (Concurrency is < 1 or > 64) throw new ArgumentException("Concurrency must be 1–64.", nameof(Concurrency));
        if (MaxAttempts is < 1 or > 100) throw new ArgumentException("MaxAttempts must be 1–100.", nameof(MaxAttempts));
        if (RetryBaseDelay <= TimeSpan.Zero || RetryMaxDelay < RetryBaseDelay) throw new ArgumentException("RetryBaseDelay must be > 0 and ≤ RetryMaxDelay.", nameof(RetryBaseDelay));
    }

    /// <summary>Validates and builds the sink.</summary>
    public ISink<T> CreateSink<T, TWriter>(TWriter writer, IDeadLetterSink deadLetters, ILogger? logger = null, HttpMessageHandler? handler = null)
        where TWriter : struct, IEventDetailWriter<T>
    {
        Validate();
        ArgumentNullException.ThrowIfNull(deadLetters);
        return new EventBridgeSink<T, TWriter>(this, Client.CreateClient(Service, handler), writer, deadLetters, logger);
    }
}
