using System.Buffers.Binary;
using Platform.Connectors.Kafka;
using Platform.Connectors.SchemaRegistry;
using Platform.Formats.Avro;
using Platform.Kafka.Tests.Infrastructure;

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
        await using var avro = await AvroTelemetryWriter.StartAsync(); // released after the group, which reads through it
        await using var rig = new GroupRig("avro", 6);
        var workload = new TelemetryWorkload(30_000, 50);
        static Kind? BadKind(int i) => i % 100 == 37 ? (Kind)(i / 100 % 3) : null; // 1%, the three kinds in turn
        var messages = new List<(string? Key, byte[] Value, int? Partition)>(workload.Records);
        for (var i = 0; i < workload.Records; i++)
        {
            var good = await avro.MessageAsync(rig.Input, workload, i, i % 2 == 0 ? PlatformAvroSchemas.TelemetryV1 : PlatformAvroSchemas.TelemetryV2);
            messages.Add(BadKind(i) is { } kind ? good with { Value = Spoil(good.Value, kind) } : good);
        }
        var landed = rig.Cluster.Produce(rig.Input, messages);
        rig.Cluster.Produce(rig.Input, await avro.WatermarkPushersAsync(rig.Input, workload, 6));
        var badAt = Enumerable.Range(0, workload.Records).Where(i => BadKind(i) is not null)
            .ToDictionary(i => (landed[i].Partition.Value, landed[i].Offset.Value), i => (Kind: BadKind(i)!.Value, Bytes: messages[i].Value));
        Assert.Equal(2, avro.Registry.Subjects[rig.Input + "-value"].Length); // v1 and v2 writers, one subject

        var group = rig.Start(rig.Options("avro-pp-" + rig.Input, TimeSpan.FromMilliseconds(500)), output.WriteLine, avro.CreateTranscoder());
        var tally = new WindowTally(workload.ExpectedWindows(i => BadKind(i) is null));
        rig.Cluster.ReadAll(rig.Results, tally.Take, TimeSpan.FromSeconds(240));
        var letters = rig.Cluster.ReadAll(rig.DeadLetterTopic, r => r.Count >= badAt.Count, TimeSpan.FromSeconds(60));
        await group.StopAsync();

        Assert.Empty(tally.Missing());
        Assert.Empty(tally.Wrong());
        Assert.Equal(0, rig.SinkFailures.Count);
        var codes = new Dictionary<Kind, string>
        {
            [Kind.BadMagicByte] = AvroDecodeErrors.Code(AvroDecodeError.BadMagicByte),
            [Kind.UnknownSchemaId] = AvroDecodeErrors.Code(AvroDecodeError.UnknownSchemaId),
            [Kind.CorruptBody] = AvroDecodeErrors.Code(AvroDecodeError.CorruptBody),
        };
        foreach (var (letter, original) in DeadLetterCheck.EachNamesItsBadMessage(letters, rig.Input, badAt, b => b.Bytes))
            Assert.StartsWith(codes[original.Kind] + ":", DeadLetterCheck.Header(letter, KafkaDeadLetterHeaders.Error), StringComparison.Ordinal);
        foreach (var kind in Enum.GetValues<Kind>()) Assert.Equal(100, badAt.Values.Count(b => b.Kind == kind));
        // An unknown id is asked for once, not once per message.
        Assert.Single(avro.Registry.Requests, r => r.StartsWith("GET /schemas/ids/999999", StringComparison.Ordinal));
        output.WriteLine($"{letters.Count} dead letters, e.g. '{DeadLetterCheck.Header(letters[0], KafkaDeadLetterHeaders.Error)}'; {tally.Covered} windows, {tally.Duplicates} duplicates");
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
