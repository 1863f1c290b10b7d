using Avro.Generic;
using Confluent.SchemaRegistry;
using Confluent.SchemaRegistry.Serdes;
using Platform.Connectors.SchemaRegistry;
using Platform.Engine.Records;
using Platform.Engine.Symbols;
using Platform.Formats.Avro;
using Platform.Schema.Tests.Infrastructure;

namespace Platform.Schema.Tests;

/// <summary>Records written with telemetry v1 and v2 (v2 adds <c>unit</c> with a default) read into one stream with one reader schema.</summary>
public sealed class SchemaEvolutionTests
{
    [Fact]
    public async Task V1AndV2Writers_InterleavedOnOneTopic_AllReadWithTheV2ReaderSchema()
    {
        await using var avro = await AvroSession.StartAsync(); // the producer's client and symbols
        using var consumerClient = avro.Options.CreateClient();
        var topic = AvroTestKit.Topic("evolving");

        // An old producer (v1) and an upgraded one (v2) write to the same topic, interleaved.
        var stream = new List<(byte[] Bytes, Telemetry Sent, bool V2)>();
        for (var i = 0; i < 200; i++)
        {
            var v2 = i % 3 != 0;
            var sent = avro.Reading(i, v2 ? "Celsius" : null);
            var schema = v2 ? PlatformAvroSchemas.TelemetryV2 : PlatformAvroSchemas.TelemetryV1;
            stream.Add((await avro.SerializeAsync(sent, schema, topic), sent, v2));
        }

        var ids = avro.Registry.Subjects[topic + "-value"];
        Assert.Equal(2, ids.Length); // v1 = version 1, v2 = version 2: the registry accepted v2 as BACKWARD compatible
        Assert.Equal(2, stream.Select(s => s.Bytes[1..5]).Select(Convert.ToHexString).Distinct().Count());

        var symbols = new SymbolTable();
        var values = new AvroValueDecoder(consumerClient, PlatformAvroSchemas.TelemetryReader);
        var decoder = new AvroTelemetryDecoder(values, symbols);
        foreach (var (bytes, sent, v2) in stream)
        {
            var record = await values.DecodeAsync(bytes, TestContext.Current.CancellationToken);
            Assert.True(record.IsSuccess, record.Reason);
            Assert.Same(PlatformAvroSchemas.TelemetryReader, record.Record!.Schema);
            Assert.Equal(v2 ? "Celsius" : "", record.Record["unit"]); // v1 data gets the reader's default

            var reading = (await decoder.DecodeAsync(bytes, TestContext.Current.CancellationToken)).Reading;
            Assert.Equal(avro.Symbols.NameOf(sent.Device), symbols.NameOf(reading.Device));
            Assert.Equal(sent.Timestamp, reading.Timestamp);
            Assert.Equal(sent.Value, reading.Value);
            Assert.Equal(sent.Flags, reading.Flags);
            Assert.Equal(v2 ? "Celsius" : null, reading.Unit.IsNone ? null : symbols.NameOf(reading.Unit));
        }
    }

    [Fact]
    public async Task V1Reader_ReadsV2Data_DroppingTheNewField()
    {
        await using var avro = await AvroSession.StartAsync();
        var bytes = await avro.SerializeAsync(avro.Reading(6, "%"), PlatformAvroSchemas.TelemetryV2, AvroTestKit.Topic("fwd"));

        var got = await new AvroValueDecoder(avro.Client, PlatformAvroSchemas.TelemetryV1).DecodeAsync(bytes, TestContext.Current.CancellationToken);

        Assert.True(got.IsSuccess, got.Reason);
        Assert.False(got.Record!.TryGetValue("unit", out _));
        Assert.Equal(23.0, got.Record["value"]);
    }

    [Fact]
    public async Task Registry_RejectsAFieldAddedWithoutDefault_UnderBackwardCompatibility()
    {
        await using var avro = await AvroSession.StartAsync();
        var topic = AvroTestKit.Topic("strict");
        await avro.SerializeAsync(avro.Reading(1), PlatformAvroSchemas.TelemetryV1, topic);
        var v2 = System.Text.Json.Nodes.JsonNode.Parse(PlatformAvroSchemas.Text("Telemetry.v2.avsc"))!;
        v2["fields"]!.AsArray().Single(f => (string)f!["name"]! == "unit")!.AsObject().Remove("default");
        var breaking = (Avro.RecordSchema)Avro.Schema.Parse(v2.ToJsonString());
        Assert.Null(breaking["unit"].DefaultValue);
        var error = await Assert.ThrowsAnyAsync<Exception>(() => avro.SerializeAsync(avro.Reading(1), breaking, topic));

        var sre = error as SchemaRegistryException ?? error.InnerException as SchemaRegistryException;
        Assert.Equal(409, sre?.ErrorCode);
        Assert.Single(avro.Registry.Subjects[topic + "-value"]);
    }

    [Fact]
    public async Task WriterTheReaderCannotRead_IsATypedIncompatibleSchemaError()
    {
        await using var avro = await AvroSession.StartAsync();
        // A "Telemetry" whose value is a string: same name, but no Avro promotion makes a double of it.
        var clash = System.Text.Json.Nodes.JsonNode.Parse(PlatformAvroSchemas.Text("Telemetry.v1.avsc"))!;
        clash["fields"]!.AsArray().Single(f => (string)f!["name"]! == "value")!["type"] = "string";
        var id = avro.Registry.Register("other-value", clash.ToJsonString());
        var message = new byte[] { 0, 0, 0, 0, (byte)id, 2, (byte)'d', 0, 2, (byte)'s', 0 };

        var got = await new AvroValueDecoder(avro.Client, PlatformAvroSchemas.TelemetryReader).DecodeAsync(message, TestContext.Current.CancellationToken);

        Assert.Equal(AvroDecodeError.IncompatibleSchema, got.Error);
        Assert.Equal(id, got.SchemaId);
        Assert.Contains("cannot read writer schema id", got.Reason, StringComparison.Ordinal);
    }
}
