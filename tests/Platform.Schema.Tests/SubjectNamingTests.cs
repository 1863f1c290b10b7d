using Avro.Generic;
using Confluent.SchemaRegistry;
using Confluent.SchemaRegistry.Serdes;
using Platform.Connectors.SchemaRegistry;
using Platform.Engine.Symbols;
using Platform.Schema.Tests.Infrastructure;

namespace Platform.Schema.Tests;

/// <summary>The three subject name strategies, auto-registration on and off, and the association probe.</summary>
public sealed class SubjectNamingTests
{
    [Theory]
    [InlineData(SubjectNaming.Topic, "{topic}-value")]
    [InlineData(SubjectNaming.Record, "platform.iot.Telemetry")]
    [InlineData(SubjectNaming.TopicRecord, "{topic}-platform.iot.Telemetry")]
    public async Task Serializer_RegistersUnderTheStrategysSubject_AndRoundTrips(SubjectNaming naming, string pattern)
    {
        await using var avro = await AvroSession.StartAsync(naming);
        var topic = AvroTestKit.Topic("telemetry");
        var expected = pattern.Replace("{topic}", topic, StringComparison.Ordinal);

        var bytes = await avro.SerializeAsync(avro.Reading(1), PlatformAvroSchemas.TelemetryV1, topic);
        var back = await avro.DeserializeAsync(bytes, topic);

        Assert.Equal([expected], avro.Registry.Subjects.Keys);
        Assert.Equal(expected, naming.Subject(topic, "platform.iot.Telemetry"));
        Assert.Equal("device-001", back["deviceId"]);
        Assert.DoesNotContain(avro.Registry.Requests, r => r.Contains("/associations/", StringComparison.Ordinal));
    }

    [Fact]
    public async Task TopicRecord_TwoRecordTypesOnOneTopic_GetTwoSubjects()
    {
        await using var avro = await AvroSession.StartAsync(SubjectNaming.TopicRecord);
        var topic = AvroTestKit.Topic("mixed");

        await avro.SerializeAsync(avro.Reading(2), PlatformAvroSchemas.TelemetryV2, topic);
        await avro.SerializeAsync(PlatformEventAvro.ToAvro(new PlatformEvent("e", "s", "d", DateTimeOffset.UnixEpoch, null, "{}", null)), topic);

        Assert.Equal(
            new[] { $"{topic}-com.demobank.events.PlatformEvent", $"{topic}-platform.iot.Telemetry" },
            avro.Registry.Subjects.Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Record_SameRecordOnTwoTopics_SharesOneSubjectAndId()
    {
        await using var avro = await AvroSession.StartAsync(SubjectNaming.Record);
        var record = TelemetryAvro.ToAvro(avro.Reading(2), avro.Symbols, PlatformAvroSchemas.TelemetryV2);

        var a = await avro.SerializeAsync(record, AvroTestKit.Topic("a"));
        var b = await avro.SerializeAsync(record, AvroTestKit.Topic("b"));

        Assert.Equal(["platform.iot.Telemetry"], avro.Registry.Subjects.Keys);
        Assert.Equal(a.AsSpan(0, 5).ToArray(), b.AsSpan(0, 5).ToArray());
    }

    [Fact]
    public async Task AutoRegisterOff_LooksUpTheOwnersSchema_AndFailsForAnUnregisteredOne()
    {
        await using var avro = await AvroSession.StartAsync(autoRegister: false);
        var topic = AvroTestKit.Topic("owned");
        var id = avro.Registry.Register(topic + "-value", PlatformAvroSchemas.TelemetryV2.ToString());

        var bytes = await avro.SerializeAsync(avro.Reading(4), PlatformAvroSchemas.TelemetryV2, topic);
        var error = await Assert.ThrowsAnyAsync<Exception>(() => avro.SerializeAsync(avro.Reading(4), PlatformAvroSchemas.TelemetryV1, topic));

        Assert.Equal(id, System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(1)));
        Assert.Contains(avro.Registry.Requests, r => r.StartsWith($"POST /subjects/{topic}-value?", StringComparison.Ordinal) || r == $"POST /subjects/{topic}-value");
        Assert.DoesNotContain(avro.Registry.Requests, r => r.StartsWith($"POST /subjects/{topic}-value/versions", StringComparison.Ordinal));
        Assert.Equal(40403, FindRegistryError(error)?.ErrorCode);
        Assert.Single(avro.Registry.Subjects[topic + "-value"]);
    }

    [Fact]
    public async Task DefaultStrategy_ProbesAssociations_AndFallsBackToTopicNaming()
    {
        await using var avro = await AvroSession.StartAsync();
        var serializer = new AvroSerializer<GenericRecord>(avro.Client, new AvroSerializerConfig()); // no strategy: Confluent's default
        var topic = AvroTestKit.Topic("probe");

        await AvroTestKit.SerializeAsync(serializer, TelemetryAvro.ToAvro(avro.Reading(1), avro.Symbols, PlatformAvroSchemas.TelemetryV2), topic);

        Assert.Contains(avro.Registry.Requests, r => r.StartsWith($"GET /associations/resources/-/{topic}", StringComparison.Ordinal));
        Assert.Equal([topic + "-value"], avro.Registry.Subjects.Keys);
    }

    private static SchemaRegistryException? FindRegistryError(Exception? e)
    {
        for (; e is not null; e = e.InnerException)
            if (e is SchemaRegistryException sre) return sre;
        return null;
    }
}
