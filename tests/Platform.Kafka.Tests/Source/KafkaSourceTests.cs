using System.Diagnostics;
using Confluent.Kafka;
using Platform.Connectors.Kafka;
using Platform.Kafka.Tests.Infrastructure;

namespace Platform.Kafka.Tests.Source;

/// <summary>Where the source starts and when it commits.</summary>
public sealed class KafkaSourceTests(ITestOutputHelper output)
{
    [Fact]
    public async Task StartFromTimestamp_NoCheckpointNoCommit_SkipsMessagesProducedBefore()
    {
        await using var s = new GroupRig("src", 2);
        var early = new TelemetryWorkload(400, 20);
        s.Cluster.Produce(s.Input, early.Messages(0, early.Records));
        await Task.Delay(20); // message timestamps are the producer's wall clock, in ms
        var cut = DateTimeOffset.UtcNow;
        await Task.Delay(20);
        var late = new TelemetryWorkload(600, 20, startMs: 1_767_300_000_000);
        s.Cluster.Produce(s.Input, late.Messages(0, late.Records));
        s.Cluster.Produce(s.Input, late.WatermarkPushers(2));

        s.Start(s.Options("ts-" + s.Input, TimeSpan.FromMilliseconds(300)) with { StartFrom = KafkaStartFrom.Timestamp, StartTimestamp = cut }, output.WriteLine);
        var tally = new WindowTally(late.ExpectedWindows());
        var read = s.Cluster.ReadAll(s.Results, tally.Take, TimeSpan.FromSeconds(120));
        await s.Group!.StopAsync();

        Assert.Empty(tally.Missing());
        Assert.Empty(tally.Wrong());
        Assert.DoesNotContain(read, m => WindowJob.Read(m).WindowStart < 1_767_300_000_000);
    }

    [Fact]
    public async Task StartFromLatest_NoCheckpointNoCommit_ReadsOnlyWhatIsProducedAfterTheStart()
    {
        await using var s = new GroupRig("src", 2);
        var early = new TelemetryWorkload(400, 20);
        s.Cluster.Produce(s.Input, early.Messages(0, early.Records));

        var group = s.Start(s.Options("latest-" + s.Input, TimeSpan.FromMilliseconds(300)) with { StartFrom = KafkaStartFrom.Latest }, output.WriteLine);
        // Probes until both partitions deliver: then each consumer position is resolved to the end it started at.
        var clock = Stopwatch.StartNew();
        var probeTime = 1_767_296_400_000L;
        while (group.RecordsIn < 2 && clock.Elapsed < TimeSpan.FromSeconds(90))
        {
            s.Cluster.Produce(s.Input, Enumerable.Range(0, 2).Select(p => ((string?)"sentinel",
                System.Text.Encoding.UTF8.GetBytes($"{{\"deviceId\":\"sentinel-probe-{p}\",\"timestamp\":{probeTime},\"sensorType\":\"none\",\"payload\":{{\"value\":0,\"unit\":\"u\"}}}}"), (int?)p)));
            await Task.Delay(500);
        }
        var late = new TelemetryWorkload(600, 20, startMs: 1_767_300_000_000);
        s.Cluster.Produce(s.Input, late.Messages(0, late.Records));
        s.Cluster.Produce(s.Input, late.WatermarkPushers(2));
        var tally = new WindowTally(late.ExpectedWindows());
        var read = s.Cluster.ReadAll(s.Results, tally.Take, TimeSpan.FromSeconds(120));
        await group.StopAsync();

        Assert.Empty(tally.Missing());
        Assert.Empty(tally.Wrong());
        Assert.DoesNotContain(read, m => WindowJob.Read(m) is var r && !r.Device.StartsWith("sentinel", StringComparison.Ordinal) && r.WindowStart < 1_767_300_000_000);
    }

    [Fact]
    public async Task Offsets_CommittedOnlyWhenACheckpointCompletes()
    {
        await using var s = new GroupRig("src", 3);
        var workload = new TelemetryWorkload(3000, 30);
        var landed = s.Cluster.Produce(s.Input, workload.Messages(0, workload.Records));
        var groupId = "commit-" + s.Input;
        // Checkpoints only on stop: nothing may be committed while the group runs.
        var group = s.Start(s.Options(groupId, TimeSpan.FromHours(1)), output.WriteLine);
        var clock = Stopwatch.StartNew();
        while (group.RecordsIn < workload.Records && clock.Elapsed < TimeSpan.FromSeconds(90)) await Task.Delay(50);
        Assert.Equal(workload.Records, group.RecordsIn);

        var partitions = Enumerable.Range(0, 3).Select(p => new TopicPartition(s.Input, p)).ToList();
        using var probe = new ConsumerBuilder<Ignore, Ignore>(s.Cluster.ConsumerConfig(groupId)).Build();
        Assert.All(probe.Committed(partitions, TimeSpan.FromSeconds(30)), c => Assert.Equal(Offset.Unset, c.Offset));
        Assert.Equal(0, group.CommitsDone);

        await group.StopAsync(); // revocation: final checkpoint per partition, then its offset is committed
        var ends = landed.GroupBy(l => l.Partition.Value).ToDictionary(g => g.Key, g => g.Max(l => l.Offset.Value) + 1);
        var committed = probe.Committed(partitions, TimeSpan.FromSeconds(30));
        Assert.All(committed, c => Assert.Equal(ends[c.Partition.Value], c.Offset.Value));
        Assert.All(Enumerable.Range(0, 3), p => Assert.True(Directory.Exists(Path.Combine(s.Dir.Path, $"{s.Input}-{p}")), $"no checkpoint folder for partition {p}"));
    }
}
