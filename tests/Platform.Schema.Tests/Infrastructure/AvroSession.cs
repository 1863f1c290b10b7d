using Avro;
using Avro.Generic;
using Confluent.SchemaRegistry;
using Confluent.SchemaRegistry.Serdes;
using Platform.Connectors.SchemaRegistry;
using Platform.Engine.Records;
using Platform.Engine.Symbols;

namespace Platform.Schema.Tests.Infrastructure;

/// <summary>
/// What every schema test starts from: a <see cref="LocalSchemaRegistry"/>, one client of it, the Confluent
/// serializer and deserializer configured with the test's subject naming, and a symbol table for readings.
/// </summary>
internal sealed class AvroSession : IAsyncDisposable
{
    private AvroSession(LocalSchemaRegistry registry, SchemaRegistryOptions options)
    {
        Registry = registry;
        Options = options;
        Client = options.CreateClient();
        Serializer = new AvroSerializer<GenericRecord>(Client, options.SerializerConfig());
        Deserializer = new AvroDeserializer<GenericRecord>(Client, options.DeserializerConfig());
    }

    public LocalSchemaRegistry Registry { get; }

    public SchemaRegistryOptions Options { get; }

    public CachedSchemaRegistryClient Client { get; }

    public AvroSerializer<GenericRecord> Serializer { get; }

    public AvroDeserializer<GenericRecord> Deserializer { get; }

    public SymbolTable Symbols { get; } = new();

    public static async Task<AvroSession> StartAsync(SubjectNaming naming = SubjectNaming.Topic, bool autoRegister = true)
    {
        var registry = await LocalSchemaRegistry.StartAsync();
        return new AvroSession(registry, AvroTestKit.Options(registry, naming, autoRegister));
    }

    public Task<byte[]> SerializeAsync(GenericRecord record, string topic) => AvroTestKit.SerializeAsync(Serializer, record, topic);

    /// <summary>Serializes a reading (symbols from <see cref="Symbols"/>) written with <paramref name="schema"/>.</summary>
    public Task<byte[]> SerializeAsync(Telemetry reading, RecordSchema schema, string topic) =>
        SerializeAsync(TelemetryAvro.ToAvro(reading, Symbols, schema), topic);

    public Task<GenericRecord> DeserializeAsync(byte[] bytes, string topic) => AvroTestKit.DeserializeAsync(Deserializer, bytes, topic);

    /// <summary>Reading number <paramref name="i"/> of <see cref="AvroTestKit.Reading"/>, in this session's symbols.</summary>
    public Telemetry Reading(int i, string? unit = null) => AvroTestKit.Reading(Symbols, i, unit);

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await Registry.DisposeAsync();
    }
}
