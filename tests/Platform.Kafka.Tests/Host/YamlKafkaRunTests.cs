using System.Diagnostics;
using System.Text;
using Platform.Connectors.Kafka;
using Platform.Connectors.Tests.Infrastructure;
using Platform.Host.Running;
using Platform.Kafka.Tests.Infrastructure;
using Platform.Sinks.Kafka;

namespace Platform.Kafka.Tests.Host;

/// <summary>
/// <c>platform run pipeline.yaml</c> with a Kafka source and an exactly-once Kafka sink, in-process through the code
/// path the command uses (<see cref="RunCommand.RunAsync"/>), against librdkafka's mock cluster: Kafka → parse →
/// key-by → 10 s tumbling window → Kafka, poison pills to the dead-letter topic named in the YAML.
/// </summary>
public sealed class YamlKafkaRunTests(ITestOutputHelper output)
{
    private const int Partitions = 4;

    [Fact]
    public async Task Run_YamlKafkaSourceToExactlyOnceKafkaSink_EveryWindowOnTheOutputTopic_PoisonPillsInTheDlqTopic()
    {
        using var cluster = new MockKafkaCluster();
        var input = MockKafkaCluster.UniqueTopic("yaml-in");
        var results = MockKafkaCluster.UniqueTopic("yaml-out");
        var dlq = MockKafkaCluster.UniqueTopic("yaml-dlq");
        cluster.CreateTopic(input, Partitions);
        cluster.CreateTopic(results, Partitions);
        cluster.CreateTopic(dlq, 1);
        var workload = new TelemetryWorkload(20_000, 100);
        static bool Bad(int i) => i % 100 == 42; // 1% broken JSON
        var messages = workload.Messages(0, workload.Records)
            .Select((m, i) => Bad(i) ? (m.Key, Encoding.UTF8.GetBytes("{\"deviceId\":\"dev-broken\",\"timestamp\":"), m.Partition) : m)
            .Concat(workload.WatermarkPushers(Partitions));
        cluster.Produce(input, messages);

        using var dir = new TempDirectory();
        var checkpoints = dir.File("checkpoints");
        var yaml = $"""
            name: kafka-yaml
            source:
              type: kafka
              bootstrap-servers: '{cluster.BootstrapServers}'
              topic: {input}
              group-id: yaml-{input}
              start-from: earliest
              format: json
              dead-letter-topic: {dlq}
              session-timeout: 6s
            {YamlSteps.CountPerSensor("count, mean")}
            sinks:
              - type: kafka
                bootstrap-servers: '{cluster.BootstrapServers}'
                topic: {results}
                mode: exactly-once
                transactional-id: yaml-eos
                transaction-timeout: 60s
            {YamlRun.Checkpoints(dir, checkpoints, "500ms")}
            """;

        var clock = Stopwatch.StartNew();
        var tally = new WindowTally(workload.ExpectedWindows(i => !Bad(i)));
        List<Confluent.Kafka.ConsumeResult<byte[], byte[]>> letters = [];
        var (exit, summary) = await YamlRun.RunAsync(dir, yaml, run =>
        {
            cluster.ReadAll(results, all => tally.Take(all) || run.IsCompleted, TimeSpan.FromSeconds(150));
            letters = cluster.ReadAll(dlq, r => r.Count >= workload.Records / 100 || run.IsCompleted, TimeSpan.FromSeconds(60));
        });
        using var totals = summary!;
        output.WriteLine($"{clock.Elapsed.TotalSeconds:0.0}s: exit {exit}; {tally.Covered:N0} windows, {tally.Duplicates} duplicates, {letters.Count} dead letters");

        Assert.Equal(RunCommand.ExitOk, exit);
        Assert.Empty(tally.Missing());
        Assert.Empty(tally.Wrong());
        Assert.Equal(0, tally.Duplicates); // no crash: each window once
        Assert.Equal(workload.Records / 100, letters.Count);
        Assert.All(letters, l => Assert.Equal(input, Encoding.UTF8.GetString(l.Message.Headers.GetLastBytes(KafkaDeadLetterHeaders.Topic))));
        Assert.All(letters, l => Assert.StartsWith("{\"deviceId\":\"dev-broken\"", Encoding.UTF8.GetString(l.Message.Value), StringComparison.Ordinal));

        // Every partition's results went through its own transactional producer: each committed transactions on checkpoints.
        for (var p = 0; p < Partitions; p++)
        {
            var journal = Path.Combine(checkpoints, $"{input}-{p}", $"txn-yaml-eos-{p}.journal");
            Assert.True(File.Exists(journal), $"no transaction journal for partition {p} at {journal}");
            Assert.True(new TransactionalCommitJournal(journal).LastCommitted >= 1, $"partition {p} committed no transaction");
        }
        Assert.Equal(workload.Records - workload.Records / 100 + Partitions, totals.RootElement.GetProperty("recordsIn").GetInt64());
        Assert.Equal(workload.Records / 100, totals.RootElement.GetProperty("deadLetters").GetInt64());
        Assert.True(totals.RootElement.GetProperty("recordsOut").GetInt64() >= tally.Covered, "the summary counts fewer results than the output topic holds");
    }

    /// <summary>
    /// A bounded run (<c>--max-events</c>) with no periodic checkpoint in it: the stop's final checkpoint of each partition
    /// commits the transaction that holds every result and the partition's offset, so nothing is left open or unacknowledged.
    /// </summary>
    [Fact]
    public async Task Run_MaxEvents_NoPeriodicCheckpoint_TheStopCommitsEachPartitionsTransactionAndOffset()
    {
        const int partitions = 3;
        using var cluster = new MockKafkaCluster();
        var input = MockKafkaCluster.UniqueTopic("yaml-max-in");
        var results = MockKafkaCluster.UniqueTopic("yaml-max-out");
        cluster.CreateTopic(input, partitions);
        cluster.CreateTopic(results, partitions);
        var workload = new TelemetryWorkload(3_000, 30);
        var landed = cluster.Produce(input, workload.Messages(0, workload.Records).Concat(workload.WatermarkPushers(partitions)));

        using var dir = new TempDirectory();
        var checkpoints = dir.File("checkpoints");
        var groupId = "yaml-max-" + input;
        var yaml = $"""
            name: kafka-yaml-max
            source:
              type: kafka
              bootstrap-servers: '{cluster.BootstrapServers}'
              topic: {input}
              group-id: {groupId}
              start-from: earliest
              session-timeout: 6s
            {YamlSteps.CountPerSensor("count")}
            sinks:
              - type: kafka
                bootstrap-servers: '{cluster.BootstrapServers}'
                topic: {results}
                mode: exactly-once
                transactional-id: yaml-max
                transaction-timeout: 10m
            {YamlRun.Checkpoints(dir, checkpoints, "5m")}
            """;

        var (exit, summary) = await YamlRun.RunAsync(dir, yaml, run => run.Wait(TimeSpan.FromSeconds(150), TestContext.Current.CancellationToken),
            maxEvents: workload.Records + partitions);
        summary?.Dispose();

        Assert.Equal(RunCommand.ExitOk, exit);
        for (var p = 0; p < partitions; p++)
        {
            // Transaction 1 is the only one, so it is the stop's: it holds every result of the partition.
            var journal = Path.Combine(checkpoints, $"{input}-{p}", $"txn-yaml-max-{p}.journal");
            Assert.Equal(1, new TransactionalCommitJournal(journal).LastCommitted);
        }
        using var probe = new Confluent.Kafka.ConsumerBuilder<Confluent.Kafka.Ignore, Confluent.Kafka.Ignore>(cluster.ConsumerConfig(groupId)).Build();
        var ends = landed.GroupBy(l => l.Partition.Value).ToDictionary(g => g.Key, g => g.Max(l => l.Offset.Value) + 1);
        var committed = probe.Committed(Enumerable.Range(0, partitions).Select(p => new Confluent.Kafka.TopicPartition(input, p)), TimeSpan.FromSeconds(30));
        Assert.All(committed, c => Assert.Equal(ends[c.Partition.Value], c.Offset.Value));
        var tally = new WindowTally(workload.ExpectedWindows());
        cluster.ReadAll(results, tally.Take, TimeSpan.FromSeconds(60));
        Assert.Empty(tally.Missing());
        Assert.Empty(tally.Wrong());
        Assert.Equal(0, tally.Duplicates);
    }
}
