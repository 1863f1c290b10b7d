using System.Text.Json;
using Confluent.Kafka;
using Platform.Connectors.Kafka;
using Platform.Engine.DeadLetters;
using Platform.Engine.Records;
using Platform.Engine.Runtime;
using Platform.Engine.Windows;
using Platform.Formats;
using Platform.Sinks.Kafka;

namespace Platform.Kafka.Tests.Infrastructure;

/// <summary>The job the Kafka tests run per partition: parse telemetry → key by device × sensor → 10 s tumbling counts → Kafka.</summary>
public static class WindowJob
{
    public static PipelineDefinition Build(KafkaPartitionTaskContext context, string bootstrap, string outputTopic, KafkaProducerSession session, IDeadLetterSink deadLetters)
    {
        var sink = new KafkaSinkOptions { BootstrapServers = bootstrap, Topic = outputTopic }
            .CreateSink<WindowResult, KafkaWindowResultEncoder>(new KafkaWindowResultEncoder(new SymbolUtf8Cache(context.Symbols)), deadLetters, session);
        context.Own(sink);
        return Pipeline.Create("kafka-windows", context.Options)
            .From(context.Source)
            .Parse(new TelemetryNdjsonParser(context.Symbols))
            .KeyBy(new TelemetrySensorKey())
            .Window(WindowSpec.Tumbling(TimeSpan.FromMilliseconds(TelemetryWorkload.WindowMs)))
            .Aggregate(new TelemetryValue())
            .To(sink);
    }

    /// <summary>(device, sensor, window start, count) of an output message.</summary>
    public static (string Device, string Sensor, long WindowStart, long Count) Read(ConsumeResult<byte[], byte[]> message)
    {
        var root = JsonDocument.Parse(message.Message.Value).RootElement;
        return (root.GetProperty("deviceId").GetString()!, root.GetProperty("sensorType").GetString()!,
            root.GetProperty("windowStart").GetInt64(), root.GetProperty("count").GetInt64());
    }
}
