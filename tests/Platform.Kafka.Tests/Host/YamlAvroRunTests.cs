using System.Diagnostics;
using Avro.Generic;
using Confluent.Kafka;
using Confluent.SchemaRegistry.Serdes;
using Platform.Connectors.SchemaRegistry;
using Platform.Connectors.Tests.Infrastructure;
using Platform.Host.Running;
using Platform.Kafka.Tests.Infrastructure;
using Platform.Schema.Tests.Infrastructure;

namespace Platform.Kafka.Tests.Host;

/// <summary>
/// <c>platform run</c> with <c>format: avro</c> on the Kafka source: telemetry written with schema v1 and v2 by the
/// Confluent serializer (record subject naming), read through the registry named in the YAML into one stream.
/// </summary>
public sealed class YamlAvroRunTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Run_YamlAvroSourceWithRegistry_V1AndV2WritersReadIntoOneStream_EveryWindowOnTheOutputTopic()
    {
        using var cluster = new MockKafkaCluster();
        await using var registry = await LocalSchemaRegistry.StartAsync();
        var input = MockKafkaCluster.UniqueTopic("yaml-avro-in");
        var results = MockKafkaCluster.UniqueTopic("yaml-avro-out");
        cluster.CreateTopic(input, 3);
        cluster.CreateTopic(results, 3);
        var registryOptions = new SchemaRegistryOptions { Url = registry.Url, SubjectNaming = SubjectNaming.Record };
        using var client = registryOptions.CreateClient();
        var serializer = new AvroSerializer<GenericRecord>(client, registryOptions.SerializerConfig());
        var workload = new TelemetryWorkload(6_000, 60);
        var messages = new List<(string? Key, byte[] Value, int? Partition)>();
        for (var i = 0; i < workload.Records; i++)
            messages.Add((workload.DeviceOf(i), await Encode(serializer, input, i % 2 == 0 ? PlatformAvroSchemas.TelemetryV1 : PlatformAvroSchemas.TelemetryV2,
                workload.DeviceOf(i), workload.TimeOf(i), workload.SensorOf(i), i % 100 + 0.5), null));
        var far = workload.TimeOf(workload.Records) + 3_600_000;
        for (var p = 0; p < 3; p++) messages.Add(("sentinel", await Encode(serializer, input, PlatformAvroSchemas.TelemetryV2, $"sentinel-{p}", far, "none", 0), p));
        cluster.Produce(input, messages);
        Assert.Equal(2, registry.Subjects[PlatformAvroSchemas.TelemetryV2.Fullname].Length); // record naming: v1 and v2 in one subject

        using var dir = new TempDirectory();
        var yaml = dir.File("pipeline.yaml");
        var summary = dir.File("summary.json");
        await File.WriteAllTextAsync(yaml, $"""
            name: kafka-avro-yaml
            source:
              type: kafka
              bootstrap-servers: '{cluster.BootstrapServers}'
              topic: {input}
              format: avro
              schema-registry: '{registry.Url}'
              subject-naming: record
            steps:
              - op: key-by
                fields: [deviceId, sensorType]
              - op: window
                kind: tumbling
                size: 10s
              - op: aggregate
                functions: [count]
            sinks:
              - type: kafka
                bootstrap-servers: '{cluster.BootstrapServers}'
                topic: {results}
            checkpoint:
              dir: {dir.File("checkpoints")}
              interval: 500ms
            dead-letter:
              path: {dir.File("dlq.ndjson")}
            http:
              port: 0
            """, TestContext.Current.CancellationToken);

        using var stop = new CancellationTokenSource();
        var clock = Stopwatch.StartNew();
        var run = Task.Run(() => RunCommand.RunAsync(new RunCommand.RunRequest(yaml, null, null, null, 0, summary) { Watch = false, Stop = stop.Token }),
            TestContext.Current.CancellationToken);
        var tally = new WindowTally(workload.ExpectedWindows());
        try
        {
            cluster.ReadAll(results, all => tally.Take(all) || run.IsCompleted, TimeSpan.FromSeconds(150));
        }
        finally
        {
            await stop.CancelAsync();
        }
        var exit = await run.WaitAsync(TimeSpan.FromSeconds(120), TestContext.Current.CancellationToken);
        output.WriteLine($"{clock.Elapsed.TotalSeconds:0.0}s: exit {exit}; {tally.Covered:N0} windows, {tally.Duplicates} duplicates");

        Assert.Equal(RunCommand.ExitOk, exit);
        Assert.Empty(tally.Missing());
        Assert.Empty(tally.Wrong());
        Assert.Equal(0, tally.Duplicates);
        using var totals = System.Text.Json.JsonDocument.Parse(await File.ReadAllTextAsync(summary, TestContext.Current.CancellationToken));
        Assert.Equal(workload.Records + 3, totals.RootElement.GetProperty("recordsIn").GetInt64());
        Assert.Equal(0, totals.RootElement.GetProperty("deadLetters").GetInt64());
    }

    private static async Task<byte[]> Encode(AvroSerializer<GenericRecord> serializer, string topic, Avro.RecordSchema schema,
        string device, long timeMs, string sensor, double value)
    {
        var record = new GenericRecord(schema);
        record.Add("deviceId", device);
        record.Add("timestamp", DateTimeOffset.FromUnixTimeMilliseconds(timeMs).UtcDateTime);
        record.Add("sensorType", sensor);
        record.Add("value", value);
        record.Add("vector", null);
        record.Add("location", null);
        record.Add("correlationId", null);
        if (schema.Contains("unit")) record.Add("unit", "u");
        return await serializer.SerializeAsync(record, new SerializationContext(MessageComponentType.Value, topic));
    }
}
