using Confluent.Kafka;
using Platform.Connectors.Kafka;
using Platform.Host.Config;
using Platform.Host.Config.Sinks;
using Platform.Host.Config.Sources;
using Platform.Sinks.Kafka;

namespace Platform.Host.Tests.Config;

public sealed class KafkaConfigTests
{
    private static readonly string WorkingDirectory = Path.GetTempPath();
    private const string Steps = "steps:\n  - op: key-by\n    fields: [deviceId, sensorType]\n  - op: window\n    kind: tumbling\n    size: 10s\n  - op: aggregate\n    functions: [count, mean]\n";

    private static ConfigLoadResult Parse(string source, string sink, string checkpoint = "checkpoint: { dir: /shared/chk, interval: 10s }\n") =>
        PipelineConfigLoader.Parse($"name: k\nsource: {source}\n{Steps}sinks: [{sink}]\n{checkpoint}", "k.yaml", WorkingDirectory);

    [Fact]
    public void Parse_KafkaSourceAndSink_BindEveryFieldAndRoundTrip()
    {
        var result = Parse(
            "{type: kafka, bootstrap-servers: '127.0.0.1:9092', topic: telemetry, group-id: iot, start-from: timestamp, start-timestamp: '2026-01-01T00:00:00Z', dead-letter-topic: telemetry-dlq, session-timeout: 6s}",
            "{type: kafka, bootstrap-servers: '127.0.0.1:9092', topic: results, key: device-and-sensor, compression: zstd, linger: 20ms, batch-size: 256KiB, delivery-guarantee: exactly-once, transactional-id: iot-1, transaction-timeout: 2m}");
        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        var config = result.Config!;

        var source = Assert.IsType<KafkaSourceConfig>(config.Source);
        Assert.Equal(("127.0.0.1:9092", "telemetry", "iot", KafkaStartFrom.Timestamp, "telemetry-dlq", TimeSpan.FromSeconds(6)),
            (source.BootstrapServers, source.Topic, source.GroupId, source.StartFrom, source.DeadLetterTopic, source.SessionTimeout));
        Assert.Equal(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero), source.StartTimestamp);
        var sink = Assert.IsType<KafkaSinkConfig>(Assert.Single(config.Sinks));
        var options = sink.ToOptions();
        Assert.Equal((KafkaKeyField.DeviceAndSensor, CompressionType.Zstd, 20, 256 * 1024, KafkaDeliveryGuarantee.ExactlyOnce, "iot-1", TimeSpan.FromMinutes(2)),
            (options.Key, options.Compression, options.LingerMs, options.BatchSizeBytes, options.DeliveryGuarantee, options.TransactionalId, options.TransactionTimeout));

        var back = PipelineConfigLoader.Parse(PipelineConfigWriter.ToYaml(config), "k.yaml", WorkingDirectory);
        Assert.True(back.IsValid, string.Join("\n", back.Errors));
        Assert.Equal(config, back.Config);
    }

    [Fact]
    public void Parse_KafkaSinkDefaults_SnappyKeyedByDeviceAtLeastOnce()
    {
        var sink = Assert.IsType<KafkaSinkConfig>(Assert.Single(Parse("{type: generator}", "{type: kafka, bootstrap-servers: 'b:9092', topic: out}").Config!.Sinks));
        Assert.Equal((KafkaKeyField.DeviceId, CompressionType.Snappy, KafkaDeliveryGuarantee.AtLeastOnce), (sink.Key, sink.Compression, sink.DeliveryGuarantee));
    }

    [Fact]
    public void Parse_KafkaSourceWithoutCheckpoint_ErrorSaysStateAndOffsetsLiveThere()
    {
        var result = Parse("{type: kafka, bootstrap-servers: 'b:9092', topic: t}", "{type: null}", checkpoint: "");
        Assert.False(result.IsValid);
        Assert.Contains(result.Errors, e => e.Message.Contains("kafka source needs a 'checkpoint' section", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("10s", false)]
    [InlineData("5s", false)]
    [InlineData("11s", true)]
    public void Parse_ExactlyOnce_TransactionTimeoutMustExceedCheckpointInterval(string timeout, bool valid)
    {
        var result = Parse("{type: generator}", $"{{type: kafka, bootstrap-servers: 'b:9092', topic: out, delivery-guarantee: exactly-once, transactional-id: t1, transaction-timeout: {timeout}}}");
        Assert.Equal(valid, result.IsValid);
        if (!valid) Assert.Contains(result.Errors, e => e.Message.Contains("transaction.timeout.ms", StringComparison.Ordinal) && e.Message.Contains("checkpoint interval", StringComparison.Ordinal));
    }

    [Fact]
    public void Parse_ExactlyOnceWithoutTransactionalId_Error()
    {
        var result = Parse("{type: generator}", "{type: kafka, bootstrap-servers: 'b:9092', topic: out, delivery-guarantee: exactly-once}");
        Assert.Contains(result.Errors, e => e.Message.Contains("needs 'transactional-id'", StringComparison.Ordinal));
    }
}
