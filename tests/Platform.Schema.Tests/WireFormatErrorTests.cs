using Avro.Generic;
using Confluent.SchemaRegistry.Serdes;
using Platform.Connectors.SchemaRegistry;
using Platform.Engine.Symbols;
using Platform.Formats.Avro;
using Platform.Schema.Tests.Infrastructure;

namespace Platform.Schema.Tests;

/// <summary>Every way a message can fail to decode comes back as its own typed error, never as a crash.</summary>
public sealed class WireFormatErrorTests : IAsyncLifetime
{
    private AvroSession _avro = null!;
    private byte[] _good = [];

    public async ValueTask InitializeAsync()
    {
        _avro = await AvroSession.StartAsync();
        _good = await _avro.SerializeAsync(_avro.Reading(1, "g"), PlatformAvroSchemas.TelemetryV2, AvroTestKit.Topic("errors"));
    }

    public ValueTask DisposeAsync() => _avro.DisposeAsync();

    private AvroValueDecoder Decoder() => new(_avro.Client, PlatformAvroSchemas.TelemetryReader);

    [Fact]
    public async Task GoodMessage_Decodes()
    {
        var got = await Decoder().DecodeAsync(_good, TestContext.Current.CancellationToken);
        Assert.True(got.IsSuccess, got.Reason);
    }

    [Theory]
    [InlineData(new byte[] { 1, 0, 0, 0, 1, 2 }, AvroDecodeError.BadMagicByte)]
    [InlineData(new byte[] { (byte)'{', (byte)'"', (byte)'a', (byte)'"', (byte)':', (byte)'1', (byte)'}' }, AvroDecodeError.BadMagicByte)]
    [InlineData(new byte[] { 0, 0, 0 }, AvroDecodeError.TooShort)]
    [InlineData(new byte[0], AvroDecodeError.TooShort)]
    public async Task BadFraming_IsTypedWithoutAskingTheRegistry(byte[] message, AvroDecodeError expected)
    {
        var before = _avro.Registry.Requests.Count;

        var got = await Decoder().DecodeAsync(message, TestContext.Current.CancellationToken);

        Assert.Equal(expected, got.Error);
        Assert.True(AvroDecodeErrors.IsPoisonPill(got.Error));
        Assert.Equal(before, _avro.Registry.Requests.Count);
        Assert.Equal(expected, ConfluentWireFormat.TryReadHeader(message, out _));
    }

    [Fact]
    public async Task UnknownSchemaId_IsTyped_AndAskedOnlyOnce()
    {
        var message = (byte[])_good.Clone();
        ConfluentWireFormat.WriteHeader(message, 987_654);
        var decoder = Decoder();

        var first = await decoder.DecodeAsync(message, TestContext.Current.CancellationToken);
        var second = await decoder.DecodeAsync(message, TestContext.Current.CancellationToken);

        Assert.Equal(AvroDecodeError.UnknownSchemaId, first.Error);
        Assert.Equal(AvroDecodeError.UnknownSchemaId, second.Error);
        Assert.Equal(987_654, first.SchemaId);
        Assert.Contains("987654", first.Reason, StringComparison.Ordinal);
        Assert.Single(_avro.Registry.Requests, r => r.StartsWith("GET /schemas/ids/987654", StringComparison.Ordinal));
    }

    [Fact]
    public async Task TruncatedBody_IsCorrupt()
    {
        var got = await Decoder().DecodeAsync(_good.AsMemory(0, _good.Length - 3), TestContext.Current.CancellationToken);
        Assert.Equal(AvroDecodeError.CorruptBody, got.Error);
    }

    [Fact]
    public async Task TrailingBytes_AreCorrupt()
    {
        var got = await Decoder().DecodeAsync(_good.Concat(new byte[] { 7, 7 }).ToArray(), TestContext.Current.CancellationToken);
        Assert.Equal(AvroDecodeError.CorruptBody, got.Error);
        Assert.Contains("2 trailing bytes", got.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HugeStringLength_IsCorrupt_NotAnAllocation()
    {
        var message = _good[..5].Concat(new byte[] { 0xFE, 0xFF, 0xFF, 0xFF, 0x0F, (byte)'x' }).ToArray(); // deviceId length ≈ 2^31

        var got = await Decoder().DecodeAsync(message, TestContext.Current.CancellationToken);

        Assert.Equal(AvroDecodeError.CorruptBody, got.Error);
    }

    [Fact]
    public async Task BadUnionIndex_IsCorrupt()
    {
        // deviceId "d", timestamp 0, sensorType "s", value 0.0, then vector union index 9 (only 0 and 1 exist).
        var body = new byte[] { 2, (byte)'d', 0, 2, (byte)'s', 0, 0, 0, 0, 0, 0, 0, 0, 18 };
        var got = await Decoder().DecodeAsync(_good[..5].Concat(body).ToArray(), TestContext.Current.CancellationToken);
        Assert.Equal(AvroDecodeError.CorruptBody, got.Error);
    }

    [Fact]
    public async Task RandomBodies_NeverThrow_AndAreEitherDecodedOrCorrupt()
    {
        var decoder = Decoder();
        var random = new Random(5);
        var outcomes = new Dictionary<AvroDecodeError, int>();
        for (var i = 0; i < 2000; i++)
        {
            var message = (byte[])_good.Clone();
            for (var flips = 1 + random.Next(3); flips > 0; flips--)
                message[5 + random.Next(message.Length - 5)] = (byte)random.Next(256);
            var got = await decoder.DecodeAsync(message, TestContext.Current.CancellationToken);
            outcomes[got.Error] = outcomes.GetValueOrDefault(got.Error) + 1;
        }
        Assert.Empty(outcomes.Keys.Except([AvroDecodeError.None, AvroDecodeError.CorruptBody]));
        Assert.True(outcomes.GetValueOrDefault(AvroDecodeError.CorruptBody) > 100, string.Join(", ", outcomes));
    }

    [Fact]
    public async Task RegistryOutage_IsRetryable_NotAPoisonPill_AndNotRemembered()
    {
        var decoder = Decoder();
        _avro.Registry.Unavailable = true;
        var during = await decoder.DecodeAsync(_good, TestContext.Current.CancellationToken);
        _avro.Registry.Unavailable = false;
        var after = await decoder.DecodeAsync(_good, TestContext.Current.CancellationToken);

        Assert.Equal(AvroDecodeError.RegistryUnavailable, during.Error);
        Assert.False(AvroDecodeErrors.IsPoisonPill(during.Error));
        Assert.True(after.IsSuccess, after.Reason);
    }

    [Fact]
    public void DecodeException_CarriesTheTypedError()
    {
        var e = AvroDecodeResult.Fail(AvroDecodeError.UnknownSchemaId, 42, "no such id").ToException();
        Assert.Equal(AvroDecodeError.UnknownSchemaId, e.Error);
        Assert.Equal("avro-unknown-schema-id", e.Code);
        Assert.Equal(42, e.SchemaId);
        Assert.True(e.IsPoisonPill);
    }
}
