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
        await using var registry = await LocalSchemaRegistry.StartAsync();
        var options = AvroTestKit.Options(registry, naming);
        using var client = options.CreateClient();
        var serializer = new AvroSerializer<GenericRecord>(client, options.SerializerConfig());
        var deserializer = new AvroDeserializer<GenericRecord>(client, options.DeserializerConfig());
        var symbols = new SymbolTable();
        var topic = AvroTestKit.Topic("telemetry");
        var expected = pattern.Replace("{topic}", topic, StringComparison.Ordinal);

        var bytes = await AvroTestKit.SerializeAsync(serializer, TelemetryAvro.ToAvro(AvroTestKit.Reading(symbols, 1), symbols, PlatformAvroSchemas.TelemetryV1), topic);
        var back = await AvroTestKit.DeserializeAsync(deserializer, bytes, topic);

        Assert.Equal([expected], registry.Subjects.Keys);
        Assert.Equal(expected, naming.Subject(topic, "platform.iot.Telemetry"));
        Assert.Equal("device-001", back["deviceId"]);
        Assert.DoesNotContain(registry.Requests, r => r.Contains("/associations/", StringComparison.Ordinal));
    }

    [Fact]
    public async Task TopicRecord_TwoRecordTypesOnOneTopic_GetTwoSubjects()
    {
        await using var registry = await LocalSchemaRegistry.StartAsync();
        var options = AvroTestKit.Options(registry, SubjectNaming.TopicRecord);
        using var client = options.CreateClient();
        var serializer = new AvroSerializer<GenericRecord>(client, options.SerializerConfig());
        var symbols = new SymbolTable();
        var topic = AvroTestKit.Topic("mixed");

        await AvroTestKit.SerializeAsync(serializer, TelemetryAvro.ToAvro(AvroTestKit.Reading(symbols, 2), symbols, PlatformAvroSchemas.TelemetryV2), topic);
        await AvroTestKit.SerializeAsync(serializer, PlatformEventAvro.ToAvro(new PlatformEvent("e", "s", "d", DateTimeOffset.UnixEpoch, null, "{}", null)), topic);

        Assert.Equal(
            new[] { $"{topic}-com.demobank.events.PlatformEvent", $"{topic}-platform.iot.Telemetry" },
            registry.Subjects.Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Record_SameRecordOnTwoTopics_SharesOneSubjectAndId()
    {
        await using var registry = await LocalSchemaRegistry.StartAsync();
        var options = AvroTestKit.Options(registry, SubjectNaming.Record);
        using var client = options.CreateClient();
        var serializer = new AvroSerializer<GenericRecord>(client, options.SerializerConfig());
        var symbols = new SymbolTable();
        var record = TelemetryAvro.ToAvro(AvroTestKit.Reading(symbols, 2), symbols, PlatformAvroSchemas.TelemetryV2);

        var a = await AvroTestKit.SerializeAsync(serializer, record, AvroTestKit.Topic("a"));
        var b = await AvroTestKit.SerializeAsync(serializer, record, AvroTestKit.Topic("b"));

        Assert.Equal(["platform.iot.Telemetry"], registry.Subjects.Keys);
        Assert.Equal(a.AsSpan(0, 5).ToArray(), b.AsSpan(0, 5).ToArray());
    }

    [Fact]
    public async Task AutoRegisterOff_LooksUpTheOwnersSchema_AndFailsForAnUnregisteredOne()
    {
        await using var registry = await LocalSchemaRegistry.StartAsync();
        var topic = AvroTestKit.Topic("owned");
        var id = registry.Register(topic + "-value", PlatformAvroSchemas.TelemetryV2.ToString());
        var options = AvroTestKit.Options(registry, autoRegister: false);
        using var client = options.CreateClient();
        var serializer = new AvroSerializer<GenericRecord>(client, options.SerializerConfig());
        var symbols = new SymbolTable();

        var bytes = await AvroTestKit.SerializeAsync(serializer, TelemetryAvro.ToAvro(AvroTestKit.Reading(symbols, 4), symbols, PlatformAvroSchemas.TelemetryV2), topic);
        var error = await Assert.ThrowsAnyAsync<Exception>(() => AvroTestKit.SerializeAsync(serializer,
            TelemetryAvro.ToAvro(AvroTestKit.Reading(symbols, 4), symbols, PlatformAvroSchemas.TelemetryV1), topic));

        Assert.Equal(id, System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(1)));
        Assert.Contains(registry.Requests, r => r.StartsWith($"POST /subjects/{topic}-value?", StringComparison.Ordinal) || r == $"POST /subjects/{topic}-value");
        Assert.DoesNotContain(registry.Requests, r => r.StartsWith($"POST /subjects/{topic}-value/versions", StringComparison.Ordinal));
        Assert.Equal(40403, FindRegistryError(error)?.ErrorCode);
        Assert.Single(registry.Subjects[topic + "-value"]);
    }

    [Fact]
    public async Task DefaultStrategy_ProbesAssociations_AndFallsBackToTopicNaming()
    {
        await using var registry = await LocalSchemaRegistry.StartAsync();
        using var client = AvroTestKit.Client(registry);
        var serializer = new AvroSerializer<GenericRecord>(client, new AvroSerializerConfig()); // no strategy: Confluent's default
        var symbols = new SymbolTable();
        var topic = AvroTestKit.Topic("probe");

        await AvroTestKit.SerializeAsync(serializer, TelemetryAvro.ToAvro(AvroTestKit.Reading(symbols, 1), symbols, PlatformAvroSchemas.TelemetryV2), topic);

        Assert.Contains(registry.Requests, r => r.StartsWith($"GET /associations/resources/-/{topic}", StringComparison.Ordinal));
        Assert.Equal([topic + "-value"], registry.Subjects.Keys);
    }

    private static SchemaRegistryException? FindRegistryError(Exception? e)
    {
        for (; e is not null; e = e.InnerException)
            if (e is SchemaRegistryException sre) return sre;
        return null;
    }
}
