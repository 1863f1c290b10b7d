using System.Diagnostics;
using System.Text;
using System.Text.Json;
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
        var yaml = dir.File("pipeline.yaml");
        var summary = dir.File("summary.json");
        var checkpoints = dir.File("checkpoints");
        await File.WriteAllTextAsync(yaml, $"""
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
            steps:
              - op: key-by
                fields: [deviceId, sensorType]
              - op: window
                kind: tumbling
                size: 10s
              - op: aggregate
                functions: [count, mean]
            sinks:
              - type: kafka
                bootstrap-servers: '{cluster.BootstrapServers}'
                topic: {results}
                mode: exactly-once
                transactional-id: yaml-eos
                transaction-timeout: 60s
            checkpoint:
              dir: {checkpoints}
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
        var tally = new WindowTally(workload.ExpectedWindows(i => !Bad(i)));
        List<Confluent.Kafka.ConsumeResult<byte[], byte[]>> letters;
        try
        {
            cluster.ReadAll(results, all => tally.Take(all) || run.IsCompleted, TimeSpan.FromSeconds(150));
            letters = cluster.ReadAll(dlq, r => r.Count >= workload.Records / 100 || run.IsCompleted, TimeSpan.FromSeconds(60));
        }
        finally
        {
            await stop.CancelAsync();
        }
        var exit = await run.WaitAsync(TimeSpan.FromSeconds(120), TestContext.Current.CancellationToken);
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
        using var totals = JsonDocument.Parse(await File.ReadAllTextAsync(summary, TestContext.Current.CancellationToken));
        Assert.Equal(workload.Records - workload.Records / 100 + Partitions, totals.RootElement.GetProperty("recordsIn").GetInt64());
        Assert.Equal(workload.Records / 100, totals.RootElement.GetProperty("deadLetters").GetInt64());
        Assert.True(totals.RootElement.GetProperty("recordsOut").GetInt64() >= tally.Covered, "the summary counts fewer results than the output topic holds");
    }
}
