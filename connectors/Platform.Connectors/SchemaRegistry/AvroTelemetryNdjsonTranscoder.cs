using System.Buffers;
using System.Text.Json;
using Avro.Generic;
using Platform.Connectors.Kafka;
using Platform.Formats.Avro;

namespace Platform.Connectors.SchemaRegistry;

/// <summary>
/// Turns a Confluent-framed Avro telemetry value (any compatible writer version) into one telemetry NDJSON line —
/// <c>{"deviceId","timestamp","sensorType","payload":{"value"|"x","y","z","unit"},"correlationId","location":{"lat","lon"}}</c>
/// — so a Kafka topic (or MQTT topics) of Avro telemetry feeds the same parser, operators and dead-letter routing as JSON. A value that
/// cannot be decoded comes back with its typed <see cref="AvroDecodeError"/> and reason, for the source to dead-letter.
/// </summary>
/// <remarks>
/// Used by one poll thread. Through <see cref="TryTranscode"/> the first message of an unseen schema id waits for the
/// registry (once per id); everything after is decoded without I/O. A registry outage throws
/// <see cref="AvroDecodeException"/> (retry, never dead-letter: the message itself may be fine). The Kafka source uses
/// <see cref="TryTranscodeWithoutWaiting"/> instead, which never waits: it throws <see cref="KafkaValueNotReadyException"/>
/// and the source fetches the schema off its poll thread (<see cref="PrepareAsync"/>, retried with backoff).
/// </remarks>
public sealed class AvroTelemetryNdjsonTranscoder : IKafkaValueTranscoder, IDisposable
{
    private readonly Func<ReadOnlyMemory<byte>, AvroDecodeResult> _decode;
    private readonly AvroValueDecoder? _registry;
    private volatile BadId? _lastBad;
    private readonly ArrayBufferWriter<byte> _line = new(512);
    private readonly Utf8JsonWriter _json;
    private byte[] _value = new byte[4096];

    /// <summary>A transcoder reading with <paramref name="decoder"/>'s reader schema (normally <see cref="PlatformAvroSchemas.TelemetryReader"/>).</summary>
    public AvroTelemetryNdjsonTranscoder(AvroValueDecoder decoder)
    {
        ArgumentNullException.ThrowIfNull(decoder);
        _registry = decoder;
        // First sight of a schema id: the calling (poll or receive) thread waits for the registry once.
        _decode = bytes => decoder.TryDecodeCached(bytes, out var cached) ? cached : decoder.DecodeAsync(bytes).AsTask().GetAwaiter().GetResult();
        _json = new Utf8JsonWriter(_line);
    }

    /// <summary>A transcoder of unframed Avro values, all written with the one writer schema of <paramref name="decoder"/> (no registry).</summary>
    public AvroTelemetryNdjsonTranscoder(FixedSchemaAvroDecoder decoder)
    {
        ArgumentNullException.ThrowIfNull(decoder);
        _decode = decoder.Decode;
        _json = new Utf8JsonWriter(_line);
    }

    /// <inheritdoc />
    public bool TryTranscode(ReadOnlySpan<byte> value, out ReadOnlySpan<byte> line, out string? reason)
    {
        var result = _decode(Copy(value));
        if (result.Error == AvroDecodeError.RegistryUnavailable) throw result.ToException();
        return Finish(result, out line, out reason);
    }

    /// <inheritdoc />
    public bool TryTranscodeWithoutWaiting(ReadOnlySpan<byte> value, out ReadOnlySpan<byte> line, out string? reason)
    {
        if (_registry is null) return TryTranscode(value, out line, out reason); // one fixed writer schema: no I/O ever
        if (!_registry.TryDecodeCached(Copy(value), out var result))
        {
            if (_lastBad is not { } bad || bad.Id != SchemaIdOf(value))
                throw new KafkaValueNotReadyException($"schema id {SchemaIdOf(value)} is not fetched yet");
            // A bad id the decoder could not remember (too many bad ids): its outcome from the last preparation.
            line = default;
            reason = bad.Reason;
            return false;
        }
        return Finish(result, out line, out reason);
    }

    /// <summary>Fetches the writer schema of <paramref name="value"/>; throws <see cref="KafkaValueNotReadyException"/> while the registry is unavailable.</summary>
    public async ValueTask PrepareAsync(ReadOnlyMemory<byte> value, CancellationToken cancellationToken)
    {
        if (_registry is null) return;
        var error = await _registry.PrepareAsync(value, cancellationToken).ConfigureAwait(false);
        if (error == AvroDecodeError.RegistryUnavailable)
            throw new KafkaValueNotReadyException($"the schema registry is unavailable (schema id {SchemaIdOf(value.Span)})");
        if (error != AvroDecodeError.None)
        {
            var failed = await _registry.DecodeAsync(value, cancellationToken).ConfigureAwait(false);
            _lastBad = new BadId(SchemaIdOf(value.Span), failed.Reason);
        }
    }

    private static int SchemaIdOf(ReadOnlySpan<byte> value) =>
        value.Length >= 5 ? System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(value[1..5]) : -1;

    private sealed record BadId(int Id, string Reason);

    /// <summary>The source's buffer is reused per message; one copy into ours lets the Avro reader stream over an array.</summary>
    private ReadOnlyMemory<byte> Copy(ReadOnlySpan<byte> value)
    {
        if (value.Length > _value.Length) _value = new byte[Math.Max(value.Length, _value.Length * 2)];
        value.CopyTo(_value);
        return _value.AsMemory(0, value.Length);
    }

    private bool Finish(AvroDecodeResult result, out ReadOnlySpan<byte> line, out string? reason)
    {
        line = default;
        if (!result.IsSuccess)
        {
            reason = result.Reason;
            return false;
        }
        reason = Write(result.Record!);
        if (reason is not null) return false;
        line = _line.WrittenSpan;
        return true;
    }

    private string? Write(GenericRecord r)
    {
        _line.ResetWrittenCount();
        _json.Reset(_line);
        if (r["deviceId"] is not string device || r["sensorType"] is not string sensor) return $"{AvroDecodeErrors.Code(AvroDecodeError.IncompatibleSchema)}: deviceId or sensorType is not a string";
        long ms;
        switch (r["timestamp"])
        {
            case DateTime dt: ms = new DateTimeOffset(DateTime.SpecifyKind(dt, DateTimeKind.Utc)).ToUnixTimeMilliseconds(); break;
            case long l: ms = l; break;
            default: return $"{AvroDecodeErrors.Code(AvroDecodeError.IncompatibleSchema)}: timestamp is neither timestamp-millis nor long";
        }
        _json.WriteStartObject();
        _json.WriteString("deviceId"u8, device);
        _json.WriteNumber("timestamp"u8, ms);
        _json.WriteString("sensorType"u8, sensor);
        _json.WriteStartObject("payload"u8);
        if (r.TryGetValue("vector", out var v) && v is GenericRecord vector)
        {
            _json.WriteNumber("x"u8, (double)vector["x"]);
            _json.WriteNumber("y"u8, (double)vector["y"]);
            _json.WriteNumber("z"u8, (double)vector["z"]);
        }
        else _json.WriteNumber("value"u8, (double)r["value"]);
        if (r.TryGetValue("unit", out var u) && u is string { Length: > 0 } unit) _json.WriteString("unit"u8, unit);
        _json.WriteEndObject();
        if (r.TryGetValue("correlationId", out var c) && c is string correlation) _json.WriteString("correlationId"u8, correlation);
        if (r.TryGetValue("location", out var l2) && l2 is GenericRecord location)
        {
            _json.WriteStartObject("location"u8);
            _json.WriteNumber("lat"u8, (double)location["latitude"]);
            _json.WriteNumber("lon"u8, (double)location["longitude"]);
            _json.WriteEndObject();
        }
        _json.WriteEndObject();
        _json.Flush();
        return null;
    }

    /// <summary>Releases the JSON writer.</summary>
    public void Dispose() => _json.Dispose();
}
