using Avro.Generic;
using Confluent.Kafka;
using Confluent.SchemaRegistry;
using Confluent.SchemaRegistry.Serdes;
using Platform.Connectors.SchemaRegistry;
using Platform.Schema.Tests.Infrastructure;

namespace Platform.Kafka.Tests.Infrastructure;

/// <summary>
/// The Avro side of a Kafka test: a <see cref="LocalSchemaRegistry"/> and the Confluent serializer writing
/// <see cref="TelemetryWorkload"/> records in the wire format (magic byte + schema id), with schema v1 or v2.
/// </summary>
internal sealed class AvroTelemetryWriter : IAsyncDisposable
{
    private readonly CachedSchemaRegistryClient _client;
    private readonly AvroSerializer<GenericRecord> _serializer;
    private readonly List<IDisposable> _readers = [];

    private AvroTelemetryWriter(LocalSchemaRegistry registry, SchemaRegistryOptions options)
    {
        Registry = registry;
        Options = options;
        _client = options.CreateClient();
        _serializer = new AvroSerializer<GenericRecord>(_client, options.SerializerConfig());
    }

    public LocalSchemaRegistry Registry { get; }

    /// <summary>The registry's options: make the reader's client from these.</summary>
    public SchemaRegistryOptions Options { get; }

    public static async Task<AvroTelemetryWriter> StartAsync(SubjectNaming naming = SubjectNaming.Topic)
    {
        var registry = await LocalSchemaRegistry.StartAsync();
        return new AvroTelemetryWriter(registry, new SchemaRegistryOptions { Url = registry.Url, SubjectNaming = naming });
    }

    /// <summary>One telemetry record written with <paramref name="schema"/> (v2's unit is "u").</summary>
    public async Task<byte[]> EncodeAsync(string topic, Avro.RecordSchema schema, string device, long timeMs, string sensor, double value)
    {
        var record = new GenericRecord(schema);
        record.Add("deviceId", device);
        record.Add("timestamp", DateTimeOffset.FromUnixTimeMilliseconds(timeMs).UtcDateTime);
        record.Add("sensorType", sensor);
        record.Add("value", value);
        record.Add("vector", null);
        record.Add("location", null);
        record.Add("correlationId", null);
        if (schema.Contains("unit")) record.Add("unit", "u");
        return await _serializer.SerializeAsync(record, new SerializationContext(MessageComponentType.Value, topic));
    }

    /// <summary>Record <paramref name="i"/> of <paramref name="workload"/>, keyed by its device.</summary>
    public async Task<(string? Key, byte[] Value, int? Partition)> MessageAsync(string topic, TelemetryWorkload workload, int i, Avro.RecordSchema schema) =>
        (workload.DeviceOf(i), await EncodeAsync(topic, schema, workload.DeviceOf(i), workload.TimeOf(i), workload.SensorOf(i), i % 100 + 0.5), null);

    /// <summary>Avro twins of <see cref="TelemetryWorkload.WatermarkPushers"/>: one far-ahead v2 record per partition.</summary>
    public async Task<List<(string? Key, byte[] Value, int? Partition)>> WatermarkPushersAsync(string topic, TelemetryWorkload workload, int partitions)
    {
        var far = workload.TimeOf(workload.Records) + 3_600_000;
        var pushers = new List<(string? Key, byte[] Value, int? Partition)>(partitions);
        for (var p = 0; p < partitions; p++) pushers.Add(("sentinel", await EncodeAsync(topic, PlatformAvroSchemas.TelemetryV2, $"sentinel-{p}", far, "none", 0), p));
        return pushers;
    }

    /// <summary>
    /// The source's side: a transcoder reading with <see cref="PlatformAvroSchemas.TelemetryReader"/> through a registry
    /// client of its own (as a separate process would), released with this writer.
    /// </summary>
    public AvroTelemetryNdjsonTranscoder CreateTranscoder()
    {
        var client = Options.CreateClient();
        var transcoder = new AvroTelemetryNdjsonTranscoder(new AvroValueDecoder(client, PlatformAvroSchemas.TelemetryReader));
        _readers.Add(transcoder);
        _readers.Add(client);
        return transcoder;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var r in _readers) r.Dispose();
        _client.Dispose();
        await Registry.DisposeAsync();
    }
}
