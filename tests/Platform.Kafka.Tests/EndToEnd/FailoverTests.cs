using System.Diagnostics;
using Platform.Connectors.Kafka;
using Platform.Connectors.Tests.Infrastructure;
using Platform.Engine.DeadLetters;
using Platform.Engine.Runtime;
using Platform.Kafka.Tests.Infrastructure;
using Platform.Sinks.Kafka;

namespace Platform.Kafka.Tests.EndToEnd;

/// <summary>
/// At-least-once without loss across a crash: two pipeline instances in one consumer group share a 6-partition
/// topic; one is killed halfway (no drain, no final checkpoint, no leave), the other takes its partitions over,
/// restoring their window state from the shared checkpoint store, and every expected window result reaches the
/// output topic. Duplicates (results the killed instance wrote after its last checkpoint) are counted and reported.
/// </summary>
public sealed class FailoverTests(ITestOutputHelper output)
{
    private const int Partitions = 6;

    [Fact]
    public async Task TwoInstances_OneKilledHalfway_SurvivorRestoresItsPartitionsAndNoWindowIsLost()
    {
        var records = int.TryParse(Environment.GetEnvironmentVariable("PLATFORM_TEST_KAFKA_RECORDS"), out var n) ? n : 100_000;
        using var cluster = new MockKafkaCluster();
        var input = MockKafkaCluster.UniqueTopic("fo-in");
        var results = MockKafkaCluster.UniqueTopic("fo-out");
        cluster.CreateTopic(input, Partitions);
        cluster.CreateTopic(results, Partitions);
        var workload = new TelemetryWorkload(records, 200);
        var half = records / 2;

        using var dir = new TempDirectory();
        var group = "fo-" + input;
        var sinkFailures = new CountingDeadLetterSink();
        var poison = new CountingDeadLetterSink();
        var log = new System.Collections.Concurrent.ConcurrentQueue<string>();
        (KafkaPipelineGroup Member, KafkaProducerSession Session) Instance(string name)
        {
            var session = new KafkaProducerSession(new KafkaSinkOptions { BootstrapServers = cluster.BootstrapServers, Topic = results });
            var member = new KafkaPipelineGroup(
                new KafkaSourceOptions
                {
                    BootstrapServers = cluster.BootstrapServers, Topic = input, GroupId = group, CheckpointDirectory = dir.Path,
                    CheckpointInterval = TimeSpan.FromMilliseconds(300), SessionTimeout = TimeSpan.FromSeconds(6), Name = name,
                },
                new PipelineOptions(),
                ctx => WindowJob.Build(ctx, cluster.BootstrapServers, results, session, sinkFailures),
                poison,
                line => log.Enqueue($"{DateTime.UtcNow:HH:mm:ss.fff} {line}"));
            return (member, session);
        }

        var (a, sessionA) = Instance("a");
        var (b, sessionB) = Instance("b");
        var clock = Stopwatch.StartNew();
        a.Start();
        b.Start();
        try
        {
            // Both members own partitions and A is busy with the first half: kill it mid-stream.
            await Until(() => a.AssignedPartitions.Count > 0 && b.AssignedPartitions.Count > 0 && a.AssignedPartitions.Count + b.AssignedPartitions.Count == Partitions, "both members own partitions");
            var aPartitions = a.AssignedPartitions;
            cluster.Produce(input, workload.Messages(0, half));
            await Until(() => a.RecordsIn >= half / 8 && a.CommitsDone > 0, "A processed part of the first half and committed");
            var aRecords = a.RecordsIn;
            await a.KillAsync();
            output.WriteLine($"{clock.Elapsed.TotalSeconds:0.0}s: killed A after {aRecords:N0} records on partitions [{string.Join(',', aPartitions)}]");

            cluster.Produce(input, workload.Messages(half, records));
            cluster.Produce(input, workload.WatermarkPushers(Partitions));
            await Until(() => b.AssignedPartitions.Count == Partitions, "B owns every partition", TimeSpan.FromSeconds(120));
            output.WriteLine($"{clock.Elapsed.TotalSeconds:0.0}s: B owns all {Partitions} partitions");

            var expected = workload.ExpectedWindows();
            var tally = new WindowTally(expected);
            cluster.ReadAll(results, tally.Take, TimeSpan.FromSeconds(240));
            output.WriteLine($"{clock.Elapsed.TotalSeconds:0.0}s: {tally.Covered:N0} of {expected.Count:N0} expected windows in the output topic, {tally.Duplicates:N0} duplicates " +
                $"({(double)tally.Duplicates / expected.Count:P1}); B parsed {b.RecordsIn:N0} records, A {aRecords:N0}, input {records:N0}");
            await b.StopAsync();

            var missing = tally.Missing();
            Assert.True(missing.Count == 0, $"{missing.Count} windows lost, e.g. {string.Join("; ", missing.Take(5))}\n{string.Join('\n', log.TakeLast(40))}");
            var wrong = tally.Wrong();
            Assert.True(wrong.Count == 0, $"{wrong.Count} results with a wrong count, e.g. {string.Join("; ", wrong.Take(5))}");
            Assert.Equal(0, sinkFailures.Count);
            Assert.Equal(0, poison.Count);
            // B restored A's partitions from checkpoints (it did not start them afresh).
            Assert.Contains(log, l => l.Contains(" b: assigned", StringComparison.Ordinal) && l.Contains("checkpointed offset", StringComparison.Ordinal));
        }
        finally
        {
            foreach (var line in log) output.WriteLine(line);
            await b.DisposeAsync();
            await a.DisposeAsync();
            sessionA.Dispose();
            sessionB.Dispose();
        }
    }

    private static async Task Until(Func<bool> condition, string what, TimeSpan? timeout = null)
    {
        var deadline = Stopwatch.StartNew();
        while (!condition())
        {
            if (deadline.Elapsed > (timeout ?? TimeSpan.FromSeconds(90))) throw new TimeoutException($"Timed out waiting until {what}.");
            await Task.Delay(50);
        }
    }
}
