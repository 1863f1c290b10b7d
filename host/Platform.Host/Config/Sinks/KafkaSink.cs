using Confluent.Kafka;
using Platform.Host.Config.Binding;
using Platform.Sinks.Kafka;

namespace Platform.Host.Config.Sinks;

/// <summary>Kafka (<c>type: kafka</c>): window results as JSON, key by device id (or <c>key</c>), headers sensorType and timestamp.</summary>
/// <param name="BootstrapServers">Brokers (<c>bootstrap-servers</c>, required).</param>
/// <param name="Topic">Topic written (<c>topic</c>, required).</param>
/// <param name="Key">Key field (<c>key</c>: device-id, sensor-type, device-and-sensor, none).</param>
/// <param name="Compression">Batch compression (<c>compression</c>: none, gzip, snappy, lz4, zstd; default snappy).</param>
/// <param name="Linger">Producer <c>linger.ms</c> (<c>linger</c>).</param>
/// <param name="BatchSize">Producer <c>batch.size</c> (<c>batch-size</c>).</param>
/// <param name="DeliveryGuarantee">at-least-once (default) or exactly-once (<c>mode</c>; <c>delivery-guarantee</c> is the same key's older name).</param>
/// <param name="TransactionalId">Exactly-once: the producer's transactional.id (<c>transactional-id</c>).</param>
/// <param name="TransactionTimeout">Exactly-once: transaction.timeout.ms (<c>transaction-timeout</c>), longer than the checkpoint interval.</param>
internal sealed record KafkaSinkConfig(string BootstrapServers, string Topic, KafkaKeyField Key, CompressionType Compression, TimeSpan Linger, long BatchSize,
    KafkaDeliveryGuarantee DeliveryGuarantee, string? TransactionalId, TimeSpan TransactionTimeout) : SinkConfig
{
    /// <summary>The YAML <c>type</c>.</summary>
    public const string TypeName = "kafka";

    /// <inheritdoc/>
    public override string Type => TypeName;

    /// <summary>The sink's options.</summary>
    public KafkaSinkOptions ToOptions() => new()
    {
        BootstrapServers = BootstrapServers,
        Topic = Topic,
        Key = Key,
        Compression = Compression,
        LingerMs = (int)Linger.TotalMilliseconds,
        BatchSizeBytes = (int)BatchSize,
        DeliveryGuarantee = DeliveryGuarantee,
        TransactionalId = TransactionalId,
        TransactionTimeout = TransactionTimeout,
    };
}

/// <summary>Binds <c>type: kafka</c> sinks.</summary>
internal static class KafkaSink
{
    /// <summary>The registry entry.</summary>
    public static SinkKind Kind { get; } = new(KafkaSinkConfig.TypeName, Bind, Write);

    private static IEnumerable<KeyValuePair<string, string>> Write(SinkConfig config)
    {
        var k = (KafkaSinkConfig)config;
        var pairs = new List<KeyValuePair<string, string>>
        {
            ConfigYaml.Pair("bootstrap-servers", ConfigYaml.Text(k.BootstrapServers)),
            ConfigYaml.Pair("topic", ConfigYaml.Text(k.Topic)),
            ConfigYaml.Pair("key", ConfigYaml.Enum(k.Key)),
            ConfigYaml.Pair("compression", ConfigYaml.Enum(k.Compression)),
            ConfigYaml.Pair("linger", ConfigYaml.Duration(k.Linger)),
            ConfigYaml.Pair("batch-size", ConfigYaml.Size(k.BatchSize)),
            ConfigYaml.Pair("mode", ConfigYaml.Enum(k.DeliveryGuarantee)),
            ConfigYaml.Pair("transaction-timeout", ConfigYaml.Duration(k.TransactionTimeout)),
        };
        if (k.TransactionalId is not null) pairs.Add(ConfigYaml.Pair("transactional-id", ConfigYaml.Text(k.TransactionalId)));
        return pairs;
    }

    private static KafkaSinkConfig? Bind(MappingReader reader)
    {
        var errors = reader.Context.Errors.Count;
        var servers = reader.String("bootstrap-servers", requiredExample: "127.0.0.1:9092");
        var topic = reader.String("topic", requiredExample: "window-results");
        var key = reader.Enum("key", KafkaKeyField.DeviceId);
        var compression = reader.Enum("compression", CompressionType.Snappy);
        var linger = reader.Duration("linger", TimeSpan.FromMilliseconds(KafkaSinkOptions.DefaultLingerMs), TimeSpan.Zero);
        var batchSize = reader.Size("batch-size", KafkaSinkOptions.DefaultBatchSizeBytes, 1, int.MaxValue);
        var older = reader.Enum("delivery-guarantee", KafkaDeliveryGuarantee.AtLeastOnce);
        var guarantee = reader.Enum("mode", older);
        if (reader.Has("mode") && reader.Has("delivery-guarantee") && guarantee != older)
            reader.Context.Error(reader.Get("delivery-guarantee")!, "'mode' and 'delivery-guarantee' say different things (they are the same setting)", "keep only 'mode'");
        var modeNode = reader.Get("mode") ?? reader.Get("delivery-guarantee");
        var transactionalId = reader.String("transactional-id");
        var transactionTimeout = reader.Duration("transaction-timeout", KafkaSinkOptions.DefaultTransactionTimeout, TimeSpan.FromSeconds(1));
        if (guarantee == KafkaDeliveryGuarantee.ExactlyOnce && transactionalId is null)
            reader.Context.Error(modeNode, "'mode: exactly-once' needs 'transactional-id'", "add e.g. 'transactional-id: iot-results-1', stable across restarts");
        return reader.Context.Errors.Count == errors && servers is not null && topic is not null
            ? new KafkaSinkConfig(servers, topic, key, compression, linger, batchSize, guarantee, transactionalId, transactionTimeout)
            : null;
    }
}
