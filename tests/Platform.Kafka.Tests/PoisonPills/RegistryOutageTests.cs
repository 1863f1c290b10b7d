using System.Diagnostics;
using Avro.Generic;
using Confluent.Kafka;
using Confluent.SchemaRegistry.Serdes;
using Platform.Connectors.Kafka;
using Platform.Connectors.SchemaRegistry;
using Platform.Connectors.Tests.Infrastructure;
using Platform.Engine.DeadLetters;
using Platform.Engine.Runtime;
using Platform.Kafka.Tests.Infrastructure;
using Platform.Schema.Tests.Infrastructure;
using Platform.Sinks.Kafka;

namespace Platform.Kafka.Tests.PoisonPills;

/// <summary>
/// The Schema Registry answers 503 for a while: the Avro source holds each partition at its first message and retries
/// the schema fetch with backoff off the poll thread (Polly). Meanwhile nothing is dead-lettered (the messages are
/// fine), nothing is processed past the held message and no offset is committed; once the registry is back, every
/// record is processed and every window arrives.
/// </summary>
public sealed class RegistryOutageTests(ITestOutputHelper output)
{
    private const int Partitions = 3;

    [Fact]
    public async Task RegistryUnavailable_PartitionsHeldAndRetriedWithBackoff_NothingLostNorCommittedNorDeadLettered_ThenEverythingArrives()
    {
        using var cluster = new MockKafkaCluster();
        await using var registry = await LocalSchemaRegistry.StartAsync();
        var input = MockKafkaCluster.UniqueTopic("outage-in");
        var results = MockKafkaCluster.UniqueTopic("outage-out");
        var dlq = MockKafkaCluster.UniqueTopic("outage-dlq");
        cluster.CreateTopic(input, Partitions);
        cluster.CreateTopic(results, Partitions);
        cluster.CreateTopic(dlq, 1);

        var registryOptions = new SchemaRegistryOptions { Url = registry.Url };
        using var producerClient = registryOptions.CreateClient();
        var serializer = new AvroSerializer<GenericRecord>(producerClient, registryOptions.SerializerConfig());
        var workload = new TelemetryWorkload(3_000, 30);
        var messages = new List<(string? Key, byte[] Value, int? Partition)>();
        for (var i = 0; i < workload.Records; i++)
            messages.Add((workload.DeviceOf(i), await Encode(serializer, input, workload.DeviceOf(i), workload.TimeOf(i), workload.SensorOf(i), i % 100 + 0.5), null));
        var far = workload.TimeOf(workload.Records) + 3_600_000;
        for (var p = 0; p < Partitions; p++) messages.Add(("sentinel", await Encode(serializer, input, $"sentinel-{p}", far, "none", 0), p));
        cluster.Produce(input, messages);

        registry.Unavailable = true; // the schema was registered; now the registry answers 503 to every request
        using var dir = new TempDirectory();
        using var consumerClient = registryOptions.CreateClient();
        using var transcoder = new AvroTelemetryNdjsonTranscoder(new AvroValueDecoder(consumerClient, PlatformAvroSchemas.TelemetryReader));
        using var session = new KafkaProducerSession(new KafkaSinkOptions { BootstrapServers = cluster.BootstrapServers, Topic = results });
        var sinkFailures = new CountingDeadLetterSink();
        var log = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var group = "outage-" + input;
        await using var member = new KafkaPipelineGroup(
            new KafkaSourceOptions
            {
                BootstrapServers = cluster.BootstrapServers, Topic = input, GroupId = group, CheckpointDirectory = dir.Path,
                CheckpointInterval = TimeSpan.FromMilliseconds(200), DeadLetterTopic = dlq,
            },
            new PipelineOptions(),
            ctx => WindowJob.Build(ctx, cluster.BootstrapServers, results, session, sinkFailures),
            log: line => log.Enqueue($"{DateTime.UtcNow:HH:mm:ss.fff} {line}"),
            values: transcoder);
        member.Start();
        try
        {
            // Every partition is held and retried several times while the registry is down; checkpoints go on meanwhile.
            await Until(() => log.Count(l => l.Contains("still not ready", StringComparison.Ordinal)) >= 2 * Partitions
                && member.AssignedPartitions.Count == Partitions, "every partition retried during the outage");
            await Until(() => member.Totals.Checkpoints >= 2 * Partitions, "checkpoints completed during the outage");
            var schemaRequestsDuringOutage = registry.Requests.Count(r => r.StartsWith("GET /schemas/ids/", StringComparison.Ordinal));

            Assert.Equal(0, member.RecordsIn);        // nothing processed past the held messages…
            Assert.Equal(0, member.CommitsDone);      // …no offset acknowledged…
            Assert.DoesNotContain(Committed(cluster, group, input), o => o.Offset != Offset.Unset && o.Offset.Value > 0);
            Assert.Empty(cluster.ReadAll(dlq, _ => false, TimeSpan.FromSeconds(2))); // …and nothing dead-lettered: the messages are fine
            Assert.Empty(cluster.ReadAll(results, _ => false, TimeSpan.FromSeconds(1)));

            registry.Unavailable = false;
            var tally = new WindowTally(workload.ExpectedWindows());
            cluster.ReadAll(results, tally.Take, TimeSpan.FromSeconds(120));
            output.WriteLine($"{schemaRequestsDuringOutage} schema requests during the outage; then {tally.Covered:N0} windows, {tally.Duplicates} duplicates; {member.RecordsIn:N0} records");

            Assert.Empty(tally.Missing());
            Assert.Empty(tally.Wrong());
            Assert.Equal(0, sinkFailures.Count);
            Assert.Empty(cluster.ReadAll(dlq, _ => false, TimeSpan.FromSeconds(1)));
            await Until(() => member.RecordsIn == workload.Records + Partitions, "every record processed once");
            await Until(() => Committed(cluster, group, input).All(o => o.Offset.Value > 0), "offsets committed after the outage");
        }
        finally
        {
            foreach (var line in log) output.WriteLine(line);
            await member.StopAsync();
        }
    }

    private static List<TopicPartitionOffset> Committed(MockKafkaCluster cluster, string group, string topic)
    {
        using var consumer = new ConsumerBuilder<byte[], byte[]>(cluster.ConsumerConfig(group)).Build();
        return consumer.Committed(Enumerable.Range(0, Partitions).Select(p => new TopicPartition(topic, p)), TimeSpan.FromSeconds(30));
    }

    private static async Task<byte[]> Encode(AvroSerializer<GenericRecord> serializer, string topic, string device, long timeMs, string sensor, double value)
    {
        var record = new GenericRecord(PlatformAvroSchemas.TelemetryV2);
        record.Add("deviceId", device);
        record.Add("timestamp", DateTimeOffset.FromUnixTimeMilliseconds(timeMs).UtcDateTime);
        record.Add("sensorType", sensor);
        record.Add("value", value);
        record.Add("vector", null);
        record.Add("location", null);
        record.Add("correlationId", null);
        record.Add("unit", "u");
        return await serializer.SerializeAsync(record, new SerializationContext(MessageComponentType.Value, topic));
    }

    private static async Task Until(Func<bool> condition, string what)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            if (clock.Elapsed > TimeSpan.FromSeconds(90)) throw new TimeoutException($"Timed out waiting until {what}.");
            await Task.Delay(50);
        }
    }
}
