using Confluent.Kafka;
using Platform.Connectors.Kafka;
using Platform.Connectors.SchemaRegistry;
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
    public void Parse_AvroKafkaSource_BindsRegistryAndSubjectNamingAndRoundTrips()
    {
        var result = Parse("{type: kafka, bootstrap-servers: 'b:9092', topic: t, format: avro, schema-registry: 'http://127.0.0.1:8081', subject-naming: topic-record}", "{type: null}");
        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        var source = Assert.IsType<KafkaSourceConfig>(result.Config!.Source);
        Assert.Equal((KafkaValueFormat.Avro, "http://127.0.0.1:8081", SubjectNaming.TopicRecord), (source.Format, source.SchemaRegistryUrl, source.SubjectNaming));
        Assert.Equal(new SchemaRegistryOptions { Url = "http://127.0.0.1:8081", SubjectNaming = SubjectNaming.TopicRecord }, source.SchemaRegistry);
        var back = PipelineConfigLoader.Parse(PipelineConfigWriter.ToYaml(result.Config), "k.yaml", WorkingDirectory);
        Assert.True(back.IsValid, string.Join("\n", back.Errors));
        Assert.Equal(result.Config, back.Config);
        // The source's consumer settings: the pipeline name is the default group, the checkpoint section is the shared store.
        var options = source.ToOptions("k", result.Config.Checkpoint!);
        Assert.Equal(("k", Path.GetFullPath("/shared/chk"), TimeSpan.FromSeconds(10)), (options.GroupId, options.CheckpointDirectory, options.CheckpointInterval));
    }

    [Theory]
    [InlineData("format: avro", "'format: avro' needs 'schema-registry'")]
    [InlineData("format: avro, schema-registry: 'ftp://x'", "must be an absolute http(s) URL")]
    [InlineData("schema-registry: 'http://r:8081'", "apply to 'format: avro' only")]
    [InlineData("format: protobuf", "'format' must be one of json, avro")]
    public void Parse_KafkaSourceFormatMistakes_ClearErrors(string fields, string message)
    {
        var result = Parse($"{{type: kafka, bootstrap-servers: 'b:9092', topic: t, {fields}}}", "{type: null}");
        Assert.Contains(result.Errors, e => e.Message.Contains(message, StringComparison.Ordinal));
    }

    [Fact]
    public void Parse_SinkMode_IsTheDeliveryGuarantee_AndMustAgreeWithTheOlderKey()
    {
        var sink = Assert.IsType<KafkaSinkConfig>(Assert.Single(Parse("{type: generator}", "{type: kafka, bootstrap-servers: 'b:9092', topic: out, mode: exactly-once, transactional-id: t1}").Config!.Sinks));
        Assert.Equal(KafkaDeliveryGuarantee.ExactlyOnce, sink.DeliveryGuarantee);
        var both = Parse("{type: generator}", "{type: kafka, bootstrap-servers: 'b:9092', topic: out, mode: exactly-once, delivery-guarantee: at-least-once, transactional-id: t1}");
        Assert.Contains(both.Errors, e => e.Message.Contains("'mode' and 'delivery-guarantee' say different things", StringComparison.Ordinal));
    }

    [Fact]
    public void Parse_KafkaSourceWithDuckDbSink_ErrorSaysOnePipelinePerPartition()
    {
        var result = Parse("{type: kafka, bootstrap-servers: 'b:9092', topic: t}", "{type: duckdb, path: out.duckdb, table: w, mode: upsert}");
        Assert.Contains(result.Errors, e => e.Message.Contains("one pipeline per assigned partition", StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_ExactlyOnceTransactionTimeoutNotAboveTheCheckpointInterval_Exit2WithTheReason()
    {
        var path = Path.Combine(Path.GetTempPath(), $"kafka-validate-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(path, $"name: k\nsource: {{type: kafka, bootstrap-servers: 'b:9092', topic: t}}\n{Steps}" +
            "sinks: [{type: kafka, bootstrap-servers: 'b:9092', topic: out, mode: exactly-once, transactional-id: t1, transaction-timeout: 30s}]\n" +
            "checkpoint: { dir: /shared/chk, interval: 30s }\n");
        try
        {
            var output = new StringWriter();
            Assert.Equal(Platform.Host.Cli.ValidateCommand.ExitInvalid, Platform.Host.Cli.ValidateCommand.Run(path, output));
            Assert.Contains("transaction.timeout.ms (30000) must be longer than the checkpoint interval (30000 ms)", output.ToString(), StringComparison.Ordinal);
            File.WriteAllText(path, File.ReadAllText(path).Replace("transaction-timeout: 30s", "transaction-timeout: 31s", StringComparison.Ordinal));
            Assert.Equal(0, Platform.Host.Cli.ValidateCommand.Run(path, new StringWriter()));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Parse_ExactlyOnceWithoutTransactionalId_Error()
    {
        var result = Parse("{type: generator}", "{type: kafka, bootstrap-servers: 'b:9092', topic: out, delivery-guarantee: exactly-once}");
        Assert.Contains(result.Errors, e => e.Message.Contains("needs 'transactional-id'", StringComparison.Ordinal));
    }
}
