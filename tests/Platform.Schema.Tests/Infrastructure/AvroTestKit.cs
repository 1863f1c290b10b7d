using Avro.Generic;
using Confluent.Kafka;
using Confluent.SchemaRegistry;
using Confluent.SchemaRegistry.Serdes;
using Platform.Connectors.SchemaRegistry;
using Platform.Engine.Records;
using Platform.Engine.Symbols;

namespace Platform.Schema.Tests.Infrastructure;

/// <summary>Helpers that drive the real Confluent serdes against a <see cref="LocalSchemaRegistry"/>.</summary>
internal static class AvroTestKit
{
    public static SchemaRegistryOptions Options(LocalSchemaRegistry registry, SubjectNaming naming = SubjectNaming.Topic, bool autoRegister = true) =>
        new() { Url = registry.Url, SubjectNaming = naming, AutoRegisterSchemas = autoRegister };

    public static async Task<byte[]> SerializeAsync(AvroSerializer<GenericRecord> serializer, GenericRecord record, string topic) =>
        await serializer.SerializeAsync(record, new SerializationContext(MessageComponentType.Value, topic));

    public static async Task<GenericRecord> DeserializeAsync(AvroDeserializer<GenericRecord> deserializer, byte[] bytes, string topic) =>
        await deserializer.DeserializeAsync(bytes, isNull: false, new SerializationContext(MessageComponentType.Value, topic));

    public static Telemetry Reading(SymbolTable symbols, int i, string? unit = null)
    {
        var t = new Telemetry
        {
            Device = symbols.Intern($"device-{i % 7:000}"),
            Sensor = symbols.Intern(i % 2 == 0 ? "temperature" : "vibration"),
            Timestamp = 1_764_000_000_000 + i * 1000L,
            Value = 20 + i * 0.5,
            Unit = unit is null ? Symbol.None : symbols.Intern(unit),
        };
        if (i % 2 == 1)
        {
            (t.X, t.Y, t.Z) = (0.1 * i, -0.2 * i, 0.3);
            t.Flags |= TelemetryFlags.Vector;
        }
        if (i % 3 == 0)
        {
            (t.Latitude, t.Longitude) = (40.7128, -74.0060 + i * 1e-4);
            t.Flags |= TelemetryFlags.Location;
        }
        if (i % 4 == 0)
        {
            t.CorrelationId = TelemetryAvro.ParseCorrelation($"{i:x8}-0000-4000-8000-00000000abcd");
            t.Flags |= TelemetryFlags.Correlation;
        }
        return t;
    }

    public static string Topic(string prefix) => $"{prefix}-{Guid.NewGuid():N}";

    public static CachedSchemaRegistryClient Client(LocalSchemaRegistry registry) => Options(registry).CreateClient();
}
