using System.Text;
using Platform.Connectors.Kafka;
using Platform.Connectors.Tests.Infrastructure;
using Platform.Engine.DeadLetters;
using Platform.Engine.Runtime;
using Platform.Kafka.Tests.Infrastructure;
using Platform.Sinks.Kafka;

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
        using var cluster = new MockKafkaCluster();
        var input = MockKafkaCluster.UniqueTopic("pp-in");
        var results = MockKafkaCluster.UniqueTopic("pp-out");
        var dlq = MockKafkaCluster.UniqueTopic("pp-dlq");
        cluster.CreateTopic(input, 6);
        cluster.CreateTopic(results, 6);
        cluster.CreateTopic(dlq, 1);
        var workload = new TelemetryWorkload(10_000, 50);
        static bool IsBad(int i) => i % 100 == 37;
        var messages = workload.Messages(0, workload.Records)
            .Select((m, i) => IsBad(i) ? (m.Key, Value: BadKinds[i / 100 % BadKinds.Length], m.Partition) : m)
            .ToList();
        var landed = cluster.Produce(input, messages);
        cluster.Produce(input, workload.WatermarkPushers(6));
        var badAt = Enumerable.Range(0, workload.Records).Where(IsBad).ToDictionary(i => (landed[i].Partition.Value, landed[i].Offset.Value), i => messages[i].Value);

        using var dir = new TempDirectory();
        using var session = new KafkaProducerSession(new KafkaSinkOptions { BootstrapServers = cluster.BootstrapServers, Topic = results });
        var sinkFailures = new CountingDeadLetterSink();
        await using var group = new KafkaPipelineGroup(
            new KafkaSourceOptions
            {
                BootstrapServers = cluster.BootstrapServers, Topic = input, GroupId = "pp-" + input, CheckpointDirectory = dir.Path,
                CheckpointInterval = TimeSpan.FromMilliseconds(500), DeadLetterTopic = dlq,
            },
            new PipelineOptions(),
            ctx => WindowJob.Build(ctx, cluster.BootstrapServers, results, session, sinkFailures),
            log: output.WriteLine);
        group.Start();

        var expected = workload.ExpectedWindows(i => !IsBad(i));
        var tally = new WindowTally(expected);
        cluster.ReadAll(results, tally.Take, TimeSpan.FromSeconds(180));
        var letters = cluster.ReadAll(dlq, r => r.Count >= badAt.Count, TimeSpan.FromSeconds(60));
        await group.StopAsync();

        Assert.Empty(tally.Missing());
        Assert.Empty(tally.Wrong());
        Assert.Equal(0, sinkFailures.Count);
        Assert.Equal(badAt.Count, letters.Count);
        foreach (var letter in letters)
        {
            string Header(string name) => Encoding.UTF8.GetString(letter.Message.Headers.GetLastBytes(name));
            Assert.Equal(input, Header(KafkaDeadLetterHeaders.Topic));
            var at = (int.Parse(Header(KafkaDeadLetterHeaders.Partition)), long.Parse(Header(KafkaDeadLetterHeaders.Offset)));
            Assert.True(badAt.TryGetValue(at, out var original), $"dead letter names {at}, where no bad record was produced");
            Assert.False(string.IsNullOrWhiteSpace(Header(KafkaDeadLetterHeaders.Error)));
            Assert.Equal(original, letter.Message.Value);
        }
        Assert.Equal(badAt.Count, letters.Select(l => (Encoding.UTF8.GetString(l.Message.Headers.GetLastBytes("partition")), Encoding.UTF8.GetString(l.Message.Headers.GetLastBytes("offset")))).Distinct().Count());
        output.WriteLine($"{letters.Count} dead letters, e.g. '{Encoding.UTF8.GetString(letters[0].Message.Headers.GetLastBytes(KafkaDeadLetterHeaders.Error))}'; {tally.Covered} windows, {tally.Duplicates} duplicates");
    }
}
