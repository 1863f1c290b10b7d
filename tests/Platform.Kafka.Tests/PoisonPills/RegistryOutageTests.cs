using System.Diagnostics;
using Confluent.Kafka;
using Platform.Connectors.SchemaRegistry;
using Platform.Kafka.Tests.Infrastructure;

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
        await using var avro = await AvroTelemetryWriter.StartAsync(); // released after the group, which reads through it
        await using var rig = new GroupRig("outage", Partitions);
        var (cluster, input, results, dlq, registry) = (rig.Cluster, rig.Input, rig.Results, rig.DeadLetterTopic, avro.Registry);
        var workload = new TelemetryWorkload(3_000, 30);
        var messages = new List<(string? Key, byte[] Value, int? Partition)>();
        for (var i = 0; i < workload.Records; i++) messages.Add(await avro.MessageAsync(input, workload, i, PlatformAvroSchemas.TelemetryV2));
        messages.AddRange(await avro.WatermarkPushersAsync(input, workload, Partitions));
        cluster.Produce(input, messages);

        registry.Unavailable = true; // the schema was registered; now the registry answers 503 to every request
        var log = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var group = "outage-" + input;
        var member = rig.Start(rig.Options(group, TimeSpan.FromMilliseconds(200)), line => log.Enqueue($"{DateTime.UtcNow:HH:mm:ss.fff} {line}"), avro.CreateTranscoder());
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
            Assert.Equal(0, rig.SinkFailures.Count);
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
