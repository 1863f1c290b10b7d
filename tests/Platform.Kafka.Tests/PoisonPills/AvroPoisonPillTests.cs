using System.Buffers.Binary;
using System.Text;
using Avro.Generic;
using Confluent.Kafka;
using Confluent.SchemaRegistry.Serdes;
using Platform.Connectors.Kafka;
using Platform.Connectors.SchemaRegistry;
using Platform.Connectors.Tests.Infrastructure;
using Platform.Engine.DeadLetters;
using Platform.Engine.Runtime;
using Platform.Formats.Avro;
using Platform.Kafka.Tests.Infrastructure;
using Platform.Schema.Tests.Infrastructure;
using Platform.Sinks.Kafka;

namespace Platform.Kafka.Tests.PoisonPills;

/// <summary>
/// Avro telemetry (Confluent wire format, writers on schema v1 and v2, one v2 reader) through the Kafka source: 1% of
/// the messages are poison pills of each Avro kind — bad magic byte, unknown schema id, corrupt body — and land in the
/// dead-letter topic with the error, topic, partition and offset; every good record is counted in its window.
/// </summary>
public sealed class AvroPoisonPillTests(ITestOutputHelper output)
{
    private enum Kind { BadMagicByte, UnknownSchemaId, CorruptBody }

    [Fact]
    public async Task Consume_OnePercentOfEachAvroPoisonPill_DeadLetteredWithHeaders_EveryGoodRecordCounted()
    {
        using var cluster = new MockKafkaCluster();
        await using var registry = await LocalSchemaRegistry.StartAsync();
        var input = MockKafkaCluster.UniqueTopic("avro-in");
        var results = MockKafkaCluster.UniqueTopic("avro-out");
        var dlq = MockKafkaCluster.UniqueTopic("avro-dlq");
        cluster.CreateTopic(input, 6);
        cluster.CreateTopic(results, 6);
        cluster.CreateTopic(dlq, 1);

        var registryOptions = new SchemaRegistryOptions { Url = registry.Url };
        using var producerClient = registryOptions.CreateClient();
        var serializer = new AvroSerializer<GenericRecord>(producerClient, registryOptions.SerializerConfig());
        var workload = new TelemetryWorkload(30_000, 50);
        static Kind? BadKind(int i) => i % 100 == 37 ? (Kind)(i / 100 % 3) : null; // 1%, the three kinds in turn
        var messages = new List<(string? Key, byte[] Value, int? Partition)>(workload.Records);
        for (var i = 0; i < workload.Records; i++)
        {
            var good = await Encode(serializer, input, i % 2 == 0 ? PlatformAvroSchemas.TelemetryV1 : PlatformAvroSchemas.TelemetryV2,
                workload.DeviceOf(i), workload.TimeOf(i), workload.SensorOf(i), i % 100 + 0.5);
            messages.Add((workload.DeviceOf(i), BadKind(i) is { } kind ? Spoil(good, kind) : good, null));
        }
        var landed = cluster.Produce(input, messages);
        var far = workload.TimeOf(workload.Records) + 3_600_000;
        var pushers = new List<(string? Key, byte[] Value, int? Partition)>();
        for (var p = 0; p < 6; p++)
            pushers.Add(("sentinel", await Encode(serializer, input, PlatformAvroSchemas.TelemetryV2, $"sentinel-{p}", far, "none", 0), p));
        cluster.Produce(input, pushers);
        var badAt = Enumerable.Range(0, workload.Records).Where(i => BadKind(i) is not null)
            .ToDictionary(i => (landed[i].Partition.Value, landed[i].Offset.Value), i => (Kind: BadKind(i)!.Value, Bytes: messages[i].Value));
        Assert.Equal(2, registry.Subjects[input + "-value"].Length); // v1 and v2 writers, one subject

        using var dir = new TempDirectory();
        using var consumerClient = registryOptions.CreateClient();
        using var transcoder = new AvroTelemetryNdjsonTranscoder(new AvroValueDecoder(consumerClient, PlatformAvroSchemas.TelemetryReader));
        using var session = new KafkaProducerSession(new KafkaSinkOptions { BootstrapServers = cluster.BootstrapServers, Topic = results });
        var sinkFailures = new CountingDeadLetterSink();
        await using var group = new KafkaPipelineGroup(
            new KafkaSourceOptions
            {
                BootstrapServers = cluster.BootstrapServers, Topic = input, GroupId = "avro-pp-" + input, CheckpointDirectory = dir.Path,
                CheckpointInterval = TimeSpan.FromMilliseconds(500), DeadLetterTopic = dlq,
            },
            new PipelineOptions(),
            ctx => WindowJob.Build(ctx, cluster.BootstrapServers, results, session, sinkFailures),
            log: output.WriteLine,
            values: transcoder);
        group.Start();

        var tally = new WindowTally(workload.ExpectedWindows(i => BadKind(i) is null));
        cluster.ReadAll(results, tally.Take, TimeSpan.FromSeconds(240));
        var letters = cluster.ReadAll(dlq, r => r.Count >= badAt.Count, TimeSpan.FromSeconds(60));
        await group.StopAsync();

        Assert.Empty(tally.Missing());
        Assert.Empty(tally.Wrong());
        Assert.Equal(0, sinkFailures.Count);
        Assert.Equal(badAt.Count, letters.Count);
        var codes = new Dictionary<Kind, string>
        {
            [Kind.BadMagicByte] = AvroDecodeErrors.Code(AvroDecodeError.BadMagicByte),
            [Kind.UnknownSchemaId] = AvroDecodeErrors.Code(AvroDecodeError.UnknownSchemaId),
            [Kind.CorruptBody] = AvroDecodeErrors.Code(AvroDecodeError.CorruptBody),
        };
        foreach (var letter in letters)
        {
            string Header(string name) => Encoding.UTF8.GetString(letter.Message.Headers.GetLastBytes(name));
            Assert.Equal(input, Header(KafkaDeadLetterHeaders.Topic));
            var at = (int.Parse(Header(KafkaDeadLetterHeaders.Partition)), long.Parse(Header(KafkaDeadLetterHeaders.Offset)));
            Assert.True(badAt.TryGetValue(at, out var original), $"dead letter names {at}, where no bad record was produced");
            Assert.StartsWith(codes[original.Kind] + ":", Header(KafkaDeadLetterHeaders.Error), StringComparison.Ordinal);
            Assert.Equal(original.Bytes, letter.Message.Value);
        }
        Assert.Equal(badAt.Count, letters.Select(l => (Encoding.UTF8.GetString(l.Message.Headers.GetLastBytes(KafkaDeadLetterHeaders.Partition)),
            Encoding.UTF8.GetString(l.Message.Headers.GetLastBytes(KafkaDeadLetterHeaders.Offset)))).Distinct().Count());
        foreach (var kind in Enum.GetValues<Kind>()) Assert.Equal(100, badAt.Values.Count(b => b.Kind == kind));
        // An unknown id is asked for once, not once per message.
        Assert.Single(registry.Requests, r => r.StartsWith("GET /schemas/ids/999999", StringComparison.Ordinal));
        output.WriteLine($"{letters.Count} dead letters, e.g. '{Encoding.UTF8.GetString(letters[0].Message.Headers.GetLastBytes(KafkaDeadLetterHeaders.Error))}'; {tally.Covered} windows, {tally.Duplicates} duplicates");
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

    private static byte[] Spoil(byte[] good, Kind kind)
    {
        var bad = (byte[])good.Clone();
        switch (kind)
        {
            case Kind.BadMagicByte:
                bad[0] = 0x7B; // '{': a JSON producer writing to the Avro topic
                return bad;
            case Kind.UnknownSchemaId:
                BinaryPrimitives.WriteInt32BigEndian(bad.AsSpan(1), 999_999);
                return bad;
            default:
                return bad[..^3]; // truncated: the body ends inside its last fields
        }
    }
}
