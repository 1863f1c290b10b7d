using Platform.Connectors.Kafka;
using Platform.Kafka.Tests.Infrastructure;

namespace Platform.Kafka.Tests.PoisonPills;

/// <summary>Messages that are not telemetry JSON go to the dead-letter topic with where they came from; the rest is processed.</summary>
public sealed class JsonPoisonPillTests(ITestOutputHelper output)
{
    private static readonly byte[][] BadKinds =
    [
        "{\"deviceId\":\"dev-0001\",\"timestamp\":"u8.ToArray(),                       // truncated
        "not json at all"u8.ToArray(),                                              // garbage text
        [0xFF, 0xFE, 0x00, 0x7B, 0x22],                                             // binary, invalid UTF-8
        "{\"deviceId\":\"dev-0001\",\"timestamp\":\"yesterday\",\"sensorType\":\"t\",\"payload\":{\"value\":1,\"unit\":\"u\"}}"u8.ToArray(), // bad timestamp
    ];

    [Fact]
    public async Task Consume_OnePercentBadJson_DeadLetterTopicHasEachWithHeadersAndEveryGoodRecordCounted()
    {
        await using var rig = new GroupRig("pp", 6);
        var workload = new TelemetryWorkload(10_000, 50);
        static bool IsBad(int i) => i % 100 == 37;
        var messages = workload.Messages(0, workload.Records)
            .Select((m, i) => IsBad(i) ? (m.Key, Value: BadKinds[i / 100 % BadKinds.Length], m.Partition) : m)
            .ToList();
        var landed = rig.Cluster.Produce(rig.Input, messages);
        rig.Cluster.Produce(rig.Input, workload.WatermarkPushers(6));
        var badAt = Enumerable.Range(0, workload.Records).Where(IsBad).ToDictionary(i => (landed[i].Partition.Value, landed[i].Offset.Value), i => messages[i].Value);

        var group = rig.Start(rig.Options("pp-" + rig.Input, TimeSpan.FromMilliseconds(500)), output.WriteLine);
        var tally = new WindowTally(workload.ExpectedWindows(i => !IsBad(i)));
        rig.Cluster.ReadAll(rig.Results, tally.Take, TimeSpan.FromSeconds(180));
        var letters = rig.Cluster.ReadAll(rig.DeadLetterTopic, r => r.Count >= badAt.Count, TimeSpan.FromSeconds(60));
        await group.StopAsync();

        Assert.Empty(tally.Missing());
        Assert.Empty(tally.Wrong());
        Assert.Equal(0, rig.SinkFailures.Count);
        DeadLetterCheck.EachNamesItsBadMessage(letters, rig.Input, badAt, bytes => bytes);
        output.WriteLine($"{letters.Count} dead letters, e.g. '{DeadLetterCheck.Header(letters[0], KafkaDeadLetterHeaders.Error)}'; {tally.Covered} windows, {tally.Duplicates} duplicates");
    }
}
