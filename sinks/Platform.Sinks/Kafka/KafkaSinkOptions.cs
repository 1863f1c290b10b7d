using Confluent.Kafka;
using Platform.Engine.Contracts;
using Platform.Engine.DeadLetters;

namespace Platform.Sinks.Kafka;

/// <summary>
/// Settings of a Kafka sink. Immutable; <see cref="Validate"/> checks it and <see cref="CreateSink{T, TEncoder}"/>
/// builds the sink. The producer always runs with <c>acks=all</c> and idempotence on.
/// </summary>
public sealed record KafkaSinkOptions
{
    /// <summary>Default <see cref="LingerMs"/>: 5 ms.</summary>
    public const int DefaultLingerMs = 5;
    /// <summary>Default <see cref="BatchSizeBytes"/>: 1 MiB.</summary>
    public const int DefaultBatchSizeBytes = 1024 * 1024;
    /// <summary>Default <see cref="TransactionTimeout"/>: 60 s.</summary>
    public static readonly TimeSpan DefaultTransactionTimeout = TimeSpan.FromSeconds(60);

    /// <summary>"host:port,…" of the brokers.</summary>
    public required string BootstrapServers { get; init; }

    /// <summary>The topic results go to.</summary>
    public required string Topic { get; init; }

    /// <summary>Which field becomes the message key (default: device id).</summary>
    public KafkaKeyField Key { get; init; } = KafkaKeyField.DeviceId;

    /// <summary>Compression of produced batches (default snappy).</summary>
    public CompressionType Compression { get; init; } = CompressionType.Snappy;

    /// <summary>How long the producer waits to fill a batch (<c>linger.ms</c>, default 5).</summary>
    public int LingerMs { get; init; } = DefaultLingerMs;

    /// <summary>Largest batch per partition in bytes (<c>batch.size</c>, default 1 MiB).</summary>
    public int BatchSizeBytes { get; init; } = DefaultBatchSizeBytes;

    /// <summary>
    /// How long the producer keeps retrying one record before it gives up (<c>delivery.timeout.ms</c>, default 2 min);
    /// a record refused after that goes to the dead-letter queue with the broker's error.
    /// </summary>
    public TimeSpan DeliveryTimeout { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>At-least-once (default) or exactly-once (transactional producer committed with each checkpoint).</summary>
    public KafkaDeliveryGuarantee DeliveryGuarantee { get; init; } = KafkaDeliveryGuarantee.AtLeastOnce;

    /// <summary>Exactly-once only: the producer's <c>transactional.id</c> (stable across restarts).</summary>
    public string? TransactionalId { get; init; }

    /// <summary>
    /// Exactly-once only: <c>transaction.timeout.ms</c>. Must be longer than the checkpoint interval, since one
    /// transaction stays open from one checkpoint to the next (<c>platform validate</c> checks it).
    /// </summary>
    public TimeSpan TransactionTimeout { get; init; } = DefaultTransactionTimeout;

    /// <summary>Further librdkafka settings, passed as they are (they win over the ones above).</summary>
    public IReadOnlyDictionary<string, string> Extra { get; init; } = new Dictionary<string, string>();

    /// <summary>Name for logs, metrics and dead letters; default "kafka:{Topic}".</summary>
    public string? Name { get; init; }

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid setting.</summary>
    public KafkaSinkOptions Validate()
    {
        if (string.IsNullOrWhiteSpace(BootstrapServers)) throw new ArgumentException("BootstrapServers must be set (host:port,…).", nameof(BootstrapServers));
        if (string.IsNullOrWhiteSpace(Topic)) throw new ArgumentException("Topic must be set.", nameof(Topic));
        if (LingerMs is < 0 or > 900_000) throw new ArgumentException($"LingerMs must be 0–900000, got {LingerMs}.", nameof(LingerMs));
        if (BatchSizeBytes is < 1 or > 2_147_483_647) throw new ArgumentException($"BatchSizeBytes must be ≥ 1, got {BatchSizeBytes}.", nameof(BatchSizeBytes));
        if (DeliveryTimeout < TimeSpan.FromSeconds(1)) throw new ArgumentException($"DeliveryTimeout must be ≥ 1 s, got {DeliveryTimeout}.", nameof(DeliveryTimeout));
        if (DeliveryGuarantee == KafkaDeliveryGuarantee.ExactlyOnce && string.IsNullOrWhiteSpace(TransactionalId))
            throw new ArgumentException("Exactly-once needs a TransactionalId, stable across restarts.", nameof(TransactionalId));
        if (TransactionTimeout < TimeSpan.FromSeconds(1)) throw new ArgumentException($"TransactionTimeout must be ≥ 1 s, got {TransactionTimeout}.", nameof(TransactionTimeout));
        return this;
    }

    /// <summary>
    /// Checks the settings against the checkpoint interval: an exactly-once transaction stays open for one
    /// interval, so <see cref="TransactionTimeout"/> must be longer. Returns the problem, or null.
    /// </summary>
    public string? CheckAgainstCheckpointInterval(TimeSpan checkpointInterval) =>
        DeliveryGuarantee == KafkaDeliveryGuarantee.ExactlyOnce && TransactionTimeout <= checkpointInterval
            ? $"transaction.timeout.ms ({TransactionTimeout.TotalMilliseconds:0}) must be longer than the checkpoint interval ({checkpointInterval.TotalMilliseconds:0} ms): the transaction of one checkpoint stays open until the next"
            : null;

    /// <summary>The librdkafka producer settings.</summary>
    public ProducerConfig ToProducerConfig()
    {
        var config = new ProducerConfig
        {
            BootstrapServers = BootstrapServers,
            Acks = Acks.All,
            EnableIdempotence = true,
            CompressionType = Compression,
            LingerMs = LingerMs,
            BatchSize = BatchSizeBytes,
            MessageTimeoutMs = (int)DeliveryTimeout.TotalMilliseconds,
            ClientId = Name ?? "platform-kafka-sink",
            // Delivery reports are checked for their error and partition, and a refused record keeps its key, value and
            // timestamp for the dead letters; its headers need not be copied back out of librdkafka for every record.
            DeliveryReportFields = "key,value,timestamp,status",
        };
        if (DeliveryGuarantee == KafkaDeliveryGuarantee.ExactlyOnce)
        {
            config.TransactionalId = TransactionalId;
            config.TransactionTimeoutMs = (int)TransactionTimeout.TotalMilliseconds;
            // librdkafka refuses a transactional producer whose message.timeout.ms exceeds transaction.timeout.ms.
            config.MessageTimeoutMs = Math.Min(config.MessageTimeoutMs ?? int.MaxValue, config.TransactionTimeoutMs.Value);
        }
        foreach (var (key, value) in Extra) config.Set(key, value);
        return config;
    }

    /// <summary>Validates and builds the sink.</summary>
    /// <param name="encoder">Makes each record's key, value and headers.</param>
    /// <param name="deadLetters">Where records the broker refuses for good go, with its error.</param>
    /// <param name="session">
    /// The producer and its delivery mode; null makes an at-least-once session the sink owns. Several sinks may share one
    /// at-least-once session (one producer per process is the usual Kafka setup); an exactly-once session is per sink.
    /// </param>
    public ISink<T> CreateSink<T, TEncoder>(TEncoder encoder, IDeadLetterSink deadLetters, KafkaProducerSession? session = null)
        where TEncoder : struct, IKafkaRecordEncoder<T>
    {
        Validate();
        ArgumentNullException.ThrowIfNull(deadLetters);
        if (session is null && DeliveryGuarantee == KafkaDeliveryGuarantee.ExactlyOnce)
            throw new ArgumentException("Exactly-once needs a transactional session (TransactionalKafkaProducerSession); pass it as 'session'.", nameof(session));
        return new KafkaSink<T, TEncoder>(this, session ?? new KafkaProducerSession(this), ownsSession: session is null, encoder, deadLetters);
    }
}
