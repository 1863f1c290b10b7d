using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using Avro.Generic;
using Avro.IO;
using MQTTnet;
using MQTTnet.Protocol;
using Platform.Connectors.DurableLog;
using Platform.Connectors.Mqtt;
using Platform.Connectors.SchemaRegistry;
using Platform.Engine.DeadLetters;
using Platform.Engine.Symbols;
using Platform.Formats;
using Platform.Ingest.Tests.DurableLog;
using Platform.Schema.Tests.Infrastructure;
using Log = Platform.Connectors.DurableLog.DurableLog;

namespace Platform.Ingest.Tests.Mqtt;

/// <summary>
/// Avro telemetry over MQTT (the real mosquitto): payloads become the telemetry lines the shared parser reads, whether
/// framed for a Schema Registry (any compatible writer version) or unframed with one fixed writer schema; payloads
/// that do not decode go to the DLQ with their reason and raw bytes, and the session goes on.
/// </summary>
[Collection(nameof(MosquittoCollection))]
public sealed class MqttAvroTests(ITestOutputHelper output)
{
    private const int Devices = 10;
    private const int PerDevice = 100;

    private sealed class CollectingDeadLetters : IDeadLetterSink
    {
        public ConcurrentQueue<(string Reason, byte[] Raw)> Letters { get; } = new();

        public long Count => Letters.Count;

        public void Write(string source, int partition, long position, string reason, ReadOnlySpan<byte> raw) => Letters.Enqueue((reason, raw.ToArray()));
    }

    private static byte[] AvroBody(Avro.RecordSchema schema, int device, int n)
    {
        var record = new GenericRecord(schema);
        record.Add("deviceId", $"dev{device}");
        record.Add("timestamp", DateTimeOffset.FromUnixTimeMilliseconds(1_777_000_000_000 + n).UtcDateTime);
        record.Add("sensorType", "temperature");
        record.Add("value", n + 0.5);
        record.Add("vector", null);
        record.Add("location", null);
        record.Add("correlationId", $"d{device}-{n}");
        if (schema.Contains("unit")) record.Add("unit", "Celsius");
        using var stream = new MemoryStream();
        new GenericDatumWriter<GenericRecord>(schema).Write(record, new BinaryEncoder(stream));
        return stream.ToArray();
    }

    private static byte[] Framed(int schemaId, byte[] body)
    {
        var framed = new byte[5 + body.Length];
        BinaryPrimitives.WriteInt32BigEndian(framed.AsSpan(1), schemaId);
        body.CopyTo(framed, 5);
        return framed;
    }

    /// <summary>Publishes every payload QoS 1 from its device; waits until the source acknowledged the good ones and rejected the bad ones.</summary>
    private async Task PublishAsync(string prefix, MqttSource source, IReadOnlyList<(int Device, byte[] Payload)> payloads, int good, int bad, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        var publishers = await Task.WhenAll(Enumerable.Range(0, Devices).Select(d => MqttLoad.PublisherAsync($"{prefix}-pub{d}", ct)));
        try
        {
            await Task.WhenAll(Enumerable.Range(0, Devices).Select(d => Task.Run(async () =>
            {
                foreach (var (_, payload) in payloads.Where(p => p.Device == d))
                {
                    var r = await publishers[d].PublishAsync(new MqttApplicationMessageBuilder().WithTopic($"{prefix}/dev{d}/telemetry").WithPayload(payload)
                        .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build(), ct);
                    Assert.True(r.IsSuccess, r.ReasonString);
                }
            }, ct)));
            while ((source.Acknowledged < good || source.Rejected < bad) && clock.Elapsed < TimeSpan.FromSeconds(120)) await Task.Delay(50, ct);
            output.WriteLine($"published {payloads.Count}; acknowledged {source.Acknowledged}, rejected {source.Rejected} in {clock.Elapsed.TotalSeconds:F1} s");
        }
        finally
        {
            foreach (var p in publishers) p.Dispose();
        }
    }

    private static async Task<List<string>> ParsedLinesAsync(Log log)
    {
        var parser = new TelemetryNdjsonParser(new SymbolTable());
        var lines = new List<string>();
        await using var reader = log.OpenReader(new DurableLogReaderOptions { Follow = false });
        while (await reader.ReadAsync(TestContext.Current.CancellationToken) is { } chunk)
        {
            using (chunk)
            {
                foreach (var line in Encoding.UTF8.GetString(chunk.Span).Split('\n', StringSplitOptions.RemoveEmptyEntries))
                {
                    Assert.True(parser.TryParseLine(Encoding.UTF8.GetBytes(line), out var reading, out var failure), parser.Describe(failure, Encoding.UTF8.GetBytes(line)));
                    lines.Add(line);
                }
            }
        }
        return lines;
    }

    private static MqttSourceOptions Options(string clientId) =>
        new() { Host = "127.0.0.1", Port = MosquittoBroker.Port, ClientId = clientId, Topics = [$"{clientId}/+/telemetry"], CleanStart = true };

    [Fact]
    public async Task FixedWriterSchema_UnframedAvro_LandsAsTelemetryLines_BadPayloadsToDeadLetters()
    {
        var ct = TestContext.Current.CancellationToken;
        using var dir = new TempDir();
        await using var log = Log.Open(new DurableLogOptions { Directory = dir.Path });
        var dlq = new CollectingDeadLetters();
        using var transcoder = new AvroTelemetryNdjsonTranscoder(FixedSchemaAvroDecoder.FromJson(PlatformAvroSchemas.Text("Telemetry.v1.avsc"), PlatformAvroSchemas.TelemetryReader));
        var clientId = "platform-avro-" + Guid.NewGuid().ToString("N");
        await using var source = new MqttSource(Options(clientId), log, deadLetters: dlq, payloadTranscoder: transcoder);
        await source.StartAsync(ct);

        var payloads = new List<(int, byte[])>();
        for (var d = 0; d < Devices; d++)
        {
            for (var n = 0; n < PerDevice; n++) payloads.Add((d, AvroBody(PlatformAvroSchemas.TelemetryV1, d, n)));
        }
        var truncated = AvroBody(PlatformAvroSchemas.TelemetryV1, 0, 12345)[..10];
        var trailing = AvroBody(PlatformAvroSchemas.TelemetryV1, 1, 12346).Concat(new byte[] { 1, 2, 3 }).ToArray();
        var json = Encoding.UTF8.GetBytes("""{"deviceId":"dev2","timestamp":"2026-05-01T12:00:00Z","sensorType":"temperature","payload":{"value":1}}""");
        payloads.AddRange([(0, truncated), (1, trailing), (2, json)]);

        await PublishAsync(clientId, source, payloads, Devices * PerDevice, 3, ct);
        Assert.Equal(Devices * PerDevice, source.Acknowledged);
        Assert.Equal(3, source.Rejected);
        var lines = await ParsedLinesAsync(log);
        Assert.Equal(Devices * PerDevice, lines.Count);
        Assert.Equal(Devices * PerDevice, lines.Select(l => l[(l.IndexOf("\"correlationId\":\"", StringComparison.Ordinal) + 17)..]).Distinct().Count());
        Assert.Contains(lines, l => l.StartsWith("{\"deviceId\":\"dev3\",\"timestamp\":1777000000007,\"sensorType\":\"temperature\",\"payload\":{\"value\":7.5}", StringComparison.Ordinal));

        var letters = dlq.Letters.ToList();
        Assert.Equal(3, letters.Count);
        Assert.All(letters, l => Assert.Contains("avro-corrupt-body", l.Reason, StringComparison.Ordinal));
        Assert.Contains(letters, l => l.Raw.SequenceEqual(truncated));
        Assert.Contains(letters, l => l.Raw.SequenceEqual(trailing) && l.Reason.Contains("3 trailing bytes", StringComparison.Ordinal));
        Assert.Contains(letters, l => l.Raw.SequenceEqual(json));
        output.WriteLine($"dead letters: {string.Join(" | ", letters.Select(l => l.Reason))}");
    }

    [Fact]
    public async Task SchemaRegistry_FramedAvroOfTwoVersions_LandsAsTelemetryLines_UnknownIdsAndJsonToDeadLetters()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var registry = await LocalSchemaRegistry.StartAsync();
        var v1 = registry.Register("telemetry-value", PlatformAvroSchemas.Text("Telemetry.v1.avsc"));
        var v2 = registry.Register("telemetry-value", PlatformAvroSchemas.Text("Telemetry.v2.avsc"));
        using var dir = new TempDir();
        await using var log = Log.Open(new DurableLogOptions { Directory = dir.Path });
        var dlq = new CollectingDeadLetters();
        using var client = new SchemaRegistryOptions { Url = registry.Url }.CreateClient();
        using var transcoder = new AvroTelemetryNdjsonTranscoder(new AvroValueDecoder(client, PlatformAvroSchemas.TelemetryReader));
        var clientId = "platform-avro-" + Guid.NewGuid().ToString("N");
        await using var source = new MqttSource(Options(clientId), log, deadLetters: dlq, payloadTranscoder: transcoder);
        await source.StartAsync(ct);

        var payloads = new List<(int, byte[])>();
        for (var d = 0; d < Devices; d++)
        {
            // Half the fleet still writes v1, the other half v2 (with a unit).
            for (var n = 0; n < PerDevice; n++) payloads.Add((d, d % 2 == 0 ? Framed(v1, AvroBody(PlatformAvroSchemas.TelemetryV1, d, n)) : Framed(v2, AvroBody(PlatformAvroSchemas.TelemetryV2, d, n))));
        }
        var unknown = Framed(999_999, AvroBody(PlatformAvroSchemas.TelemetryV1, 0, 777));
        var json = Encoding.UTF8.GetBytes("""{"deviceId":"dev1","sensorType":"temperature"}""");
        payloads.AddRange([(0, unknown), (1, json), (2, unknown)]);

        await PublishAsync(clientId, source, payloads, Devices * PerDevice, 3, ct);
        Assert.Equal(Devices * PerDevice, source.Acknowledged);
        var lines = await ParsedLinesAsync(log);
        Assert.Equal(Devices * PerDevice, lines.Count);
        Assert.Equal(Devices * PerDevice / 2, lines.Count(l => l.Contains("\"unit\":\"Celsius\"", StringComparison.Ordinal)));

        var letters = dlq.Letters.ToList();
        Assert.Equal(3, letters.Count);
        Assert.Equal(2, letters.Count(l => l.Reason.Contains("avro-unknown-schema-id", StringComparison.Ordinal) && l.Raw.SequenceEqual(unknown)));
        Assert.Single(letters, l => l.Reason.Contains("avro-bad-magic-byte", StringComparison.Ordinal) && l.Raw.SequenceEqual(json));
        // Each writer schema (and the unknown id) is fetched once, not once per message.
        Assert.Single(registry.Requests, r => r.StartsWith($"GET /schemas/ids/{v1}", StringComparison.Ordinal));
        Assert.Single(registry.Requests, r => r.StartsWith("GET /schemas/ids/999999", StringComparison.Ordinal));
    }
}
