using Microsoft.Extensions.Logging;
using Platform.Connectors.Aws;
using Platform.Connectors.Aws.Kinesis;
using Platform.Engine.Contracts;
using Platform.Engine.DeadLetters;

namespace Platform.Sinks.Kinesis;

/// <summary>
/// Settings of a Kinesis sink. Immutable; <see cref="Validate"/> checks it and
/// <see cref="CreateSink{T, TEncoder}"/> builds the sink.
/// </summary>
public sealed record KinesisSinkOptions
{
    /// <summary>Largest record Kinesis takes: data + partition key ≤ 1 MiB.</summary>
    public const int MaxRecordBytes = 1024 * 1024;
    /// <summary>Longest partition key, in Unicode characters.</summary>
    public const int MaxPartitionKeyChars = 256;
    /// <summary>Default PutRecords calls in flight.</summary>
    public const int DefaultConcurrency = 4;
    /// <summary>Default attempts per entry (first try included) before it goes to the DLQ.</summary>
    public const int DefaultMaxAttempts = 10;

    /// <summary>The stream name.</summary>
    public required string StreamName { get; init; }

    /// <summary>Client settings (region, endpoint, credentials, whole-call retries, breaker).</summary>
    public AwsClientOptions Client { get; init; } = new();

    /// <summary>
    /// PutRecords calls in flight. Records are spread over this many lanes by a hash of their
    /// partition key and each lane has one call in flight, so one key's calls never overlap. Default 4.
    /// </summary>
    public int Concurrency { get; init; } = DefaultConcurrency;

    /// <summary>Attempts per entry, first included, before a failing entry is dead-lettered. Default 10.</summary>
    public int MaxAttempts { get; init; } = DefaultMaxAttempts;

    /// <summary>Base delay of the backoff (full jitter) between retries of failed entries. Default 100 ms.</summary>
    public TimeSpan RetryBaseDelay { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Cap of that backoff. Default 5 s.</summary>
    public TimeSpan RetryMaxDelay { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Name for logs, metrics and dead letters; default "kinesis:{StreamName}".</summary>
    public string? Name { get; init; }

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid setting.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(StreamName)) throw new ArgumentException("StreamName must be set.", nameof(StreamName));
        Client.Validate();
        if (Concurrency is < 1 or > 64) throw new ArgumentException("Concurrency must be 1–64.", nameof(Concurrency));
        if (MaxAttempts is < 1 or > 100) throw new ArgumentException("MaxAttempts must be 1–100.", nameof(MaxAttempts));
        if (RetryBaseDelay <= TimeSpan.Zero || RetryMaxDelay < RetryBaseDelay) throw new ArgumentException("RetryBaseDelay must be > 0 and ≤ RetryMaxDelay.", nameof(RetryBaseDelay));
    }

    /// <summary>Validates and builds the sink.</summary>
    /// <param name="encoder">Makes each record's partition key and data.</param>
    /// <param name="deadLetters">Where too-large records and entries that fail for good go.</param>
    /// <param name="logger">Optional logger.</param>
    /// <param name="handler">Replaces the socket handler (tests).</param>
    public ISink<T> CreateSink<T, TEncoder>(TEncoder encoder, IDeadLetterSink deadLetters, ILogger? logger = null, HttpMessageHandler? handler = null)
        where TEncoder : struct, IKinesisRecordEncoder<T>
    {
        Validate();
        ArgumentNullException.ThrowIfNull(deadLetters);
        return new KinesisSink<T, TEncoder>(this, KinesisClient.Create(Client, handler), encoder, deadLetters, logger);
    }
}
