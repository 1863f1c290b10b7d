using System.Buffers.Binary;
using Avro.Generic;
using Confluent.SchemaRegistry.Serdes;
using Platform.Connectors.SchemaRegistry;
using Platform.Engine.Records;
using Platform.Engine.Symbols;
using Platform.Formats.Avro;
using Platform.Schema.Tests.Infrastructure;

namespace Platform.Schema.Tests;

/// <summary>The real Confluent serdes, over HTTP, against the local registry: what goes in comes out.</summary>
public sealed class AvroRoundTripTests
{
    [Fact]
    public async Task PlatformEvent_SerializedByConfluent_DecodesWithBothDeserializers()
    {
        await using var avro = await AvroSession.StartAsync();
        var topic = AvroTestKit.Topic("demobank.transaction.created");
        var sent = new PlatformEvent("evt-1", "demobank", "transaction.created", DateTimeOffset.FromUnixTimeMilliseconds(1_764_000_123_456),
            "corr-9", """{"amount":12.5,"currency":"EUR"}""", new Dictionary<string, string> { ["region"] = "eu-west-1" });

        var bytes = await avro.SerializeAsync(PlatformEventAvro.ToAvro(sent), topic);

        Assert.Equal(ConfluentWireFormat.MagicByte, bytes[0]);
        var id = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(1));
        Assert.Equal([id], avro.Registry.Subjects[topic + "-value"]);
        var viaConfluent = PlatformEventAvro.FromAvro(await avro.DeserializeAsync(bytes, topic));
        var viaPlatform = await new AvroValueDecoder(avro.Client, PlatformAvroSchemas.PlatformEvent).DecodeAsync(bytes, TestContext.Current.CancellationToken);
        Assert.True(viaPlatform.IsSuccess, viaPlatform.Reason);
        foreach (var got in new[] { viaConfluent, PlatformEventAvro.FromAvro(viaPlatform.Record!) })
        {
            Assert.Equal(sent with { Metadata = null }, got with { Metadata = null });
            Assert.Equal("eu-west-1", got.Metadata!["region"]);
        }
        Assert.Contains(avro.Registry.Requests, r => r.StartsWith($"POST /subjects/{topic}-value/versions", StringComparison.Ordinal));
    }

    [Fact]
    public async Task PlatformEvent_WithoutOptionalFields_RoundTripsNulls()
    {
        await using var avro = await AvroSession.StartAsync();
        var topic = AvroTestKit.Topic("events");
        var sent = new PlatformEvent("evt-2", "cdp", "user.identified", DateTimeOffset.FromUnixTimeMilliseconds(1), null, "{}", null);

        var bytes = await avro.SerializeAsync(PlatformEventAvro.ToAvro(sent), topic);
        var got = await new AvroValueDecoder(avro.Client, PlatformAvroSchemas.PlatformEvent).DecodeAsync(bytes, TestContext.Current.CancellationToken);

        Assert.Equal(sent, PlatformEventAvro.FromAvro(got.Record!));
    }

    [Fact]
    public async Task Telemetry_ThousandReadings_RoundTripIntoStructsExactly()
    {
        await using var avro = await AvroSession.StartAsync();
        var decoder = new AvroTelemetryDecoder(new AvroValueDecoder(avro.Client, PlatformAvroSchemas.TelemetryReader), avro.Symbols);
        var topic = AvroTestKit.Topic("iot-telemetry-events");

        for (var i = 0; i < 1000; i++)
        {
            var sent = avro.Reading(i, i % 5 == 0 ? "Celsius" : null);
            var bytes = await avro.SerializeAsync(sent, PlatformAvroSchemas.TelemetryV2, topic);
            var got = await decoder.DecodeAsync(bytes, TestContext.Current.CancellationToken);
            Assert.True(got.IsSuccess, got.Reason);
            Assert.Equal(sent, got.Reading);
        }
        // One registration, one schema fetch: both clients cache.
        Assert.Single(avro.Registry.Requests, r => r.StartsWith("POST /subjects/", StringComparison.Ordinal));
        Assert.Single(avro.Registry.Requests, r => r.StartsWith("GET /schemas/ids/", StringComparison.Ordinal));
    }

    [Fact]
    public async Task TelemetryDecoder_AfterPrepare_DecodesWithoutIo()
    {
        await using var avro = await AvroSession.StartAsync();
        var decoder = new AvroTelemetryDecoder(new AvroValueDecoder(avro.Client, PlatformAvroSchemas.TelemetryReader), avro.Symbols);
        var sent = avro.Reading(3, "hPa");
        var bytes = await avro.SerializeAsync(sent, PlatformAvroSchemas.TelemetryV2, AvroTestKit.Topic("t"));

        Assert.False(decoder.TryDecodeCached(bytes, out _));
        Assert.Equal(AvroDecodeError.None, await decoder.Values.PrepareAsync(bytes, TestContext.Current.CancellationToken));
        avro.Registry.Unavailable = true; // proves the next decode asks nobody
        Assert.True(decoder.TryDecodeCached(bytes, out var got));
        Assert.True(got.IsSuccess, got.Reason);
        Assert.Equal(sent, got.Reading);
        Assert.Equal(TelemetryFlags.Vector | TelemetryFlags.Location, got.Reading.Flags);
    }
}
