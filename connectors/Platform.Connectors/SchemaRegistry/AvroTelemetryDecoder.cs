using Platform.Engine.Records;
using Platform.Engine.Symbols;
using Platform.Formats.Avro;

namespace Platform.Connectors.SchemaRegistry;

/// <summary>
/// The Kafka value decoder for Avro telemetry: Confluent framing → registry writer schema → the one
/// reader schema (<see cref="PlatformAvroSchemas.TelemetryReader"/>) → <see cref="Telemetry"/>.
/// A message that fails comes back with its typed <see cref="AvroDecodeError"/> and a reason, for the
/// source to route to the dead-letter topic; nothing throws for bad input.
/// </summary>
public sealed class AvroTelemetryDecoder
{
    private readonly AvroValueDecoder _decoder;
    private readonly SymbolTable _symbols;

    /// <summary>Creates a decoder that interns strings into <paramref name="symbols"/>.</summary>
    public AvroTelemetryDecoder(AvroValueDecoder decoder, SymbolTable symbols)
    {
        _decoder = decoder;
        _symbols = symbols;
    }

    /// <summary>The underlying record decoder (reader schema, schema cache).</summary>
    public AvroValueDecoder Values => _decoder;

    /// <summary>Decodes one Kafka message value (fetching an unseen writer schema from the registry).</summary>
    public async ValueTask<TelemetryDecodeResult> DecodeAsync(ReadOnlyMemory<byte> value, CancellationToken cancellationToken = default)
        => Map(await _decoder.DecodeAsync(value, cancellationToken).ConfigureAwait(false));

    /// <summary>Decodes with no I/O; false when the writer schema still has to be fetched.</summary>
    public bool TryDecodeCached(ReadOnlyMemory<byte> value, out TelemetryDecodeResult result)
    {
        if (!_decoder.TryDecodeCached(value, out var decoded))
        {
            result = default;
            return false;
        }
        result = Map(decoded);
        return true;
    }

    private TelemetryDecodeResult Map(AvroDecodeResult decoded)
    {
        if (!decoded.IsSuccess) return new TelemetryDecodeResult(default, decoded.Error, decoded.Reason);
        var misfit = TelemetryAvro.TryRead(decoded.Record!, _symbols, out var reading);
        return misfit is null
            ? new TelemetryDecodeResult(reading, AvroDecodeError.None, null)
            : new TelemetryDecodeResult(default, AvroDecodeError.IncompatibleSchema, $"{AvroDecodeErrors.Code(AvroDecodeError.IncompatibleSchema)}: {misfit}");
    }
}

/// <summary>One decoded telemetry value, or the typed reason it was rejected.</summary>
public readonly record struct TelemetryDecodeResult(Telemetry Reading, AvroDecodeError Error, string? Reason)
{
    /// <summary>True when <see cref="Reading"/> is valid.</summary>
    public bool IsSuccess => Error == AvroDecodeError.None;
}
