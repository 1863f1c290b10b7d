using System.Collections.Concurrent;
using System.Net;
using System.Runtime.InteropServices;
using Avro;
using Avro.Generic;
using Avro.IO;
using Confluent.SchemaRegistry;
using Platform.Formats.Avro;
using AvroSchema = Avro.Schema;

namespace Platform.Connectors.SchemaRegistry;

/// <summary>
/// Decodes Confluent-framed Avro (magic byte 0, 4-byte big-endian schema id, Avro binary) into records
/// of ONE reader schema, whatever compatible writer schema each message was written with: the writer
/// schema comes from the registry by id (cached), and Avro's schema resolution fills fields the writer
/// did not have from the reader's defaults and drops fields the reader does not know.
/// </summary>
/// <remarks>
/// Every failure is typed (<see cref="AvroDecodeError"/>). Unknown ids and incompatible writer schemas
/// are cached too (a bounded number), so a stream of poison pills does not become a stream of
/// registry requests. Thread-safe: parse workers decode concurrently.
/// </remarks>
public sealed class AvroValueDecoder
{
    /// <summary>Unknown or unusable schema ids remembered, at most.</summary>
    public const int MaxRememberedBadIds = 1024;

    private readonly ISchemaRegistryClient _registry;
    private readonly ConcurrentDictionary<int, WriterPlan> _plans = new();
    private int _badIds;

    /// <summary>Creates a decoder reading into <paramref name="readerSchema"/>.</summary>
    public AvroValueDecoder(ISchemaRegistryClient registry, RecordSchema readerSchema)
    {
        _registry = registry;
        ReaderSchema = readerSchema;
    }

    /// <summary>The one schema every decoded record has.</summary>
    public RecordSchema ReaderSchema { get; }

    /// <summary>
    /// Decodes <paramref name="message"/> when its writer schema is already known (no I/O). Returns false
    /// when the schema must first be fetched (<see cref="PrepareAsync"/> or <see cref="DecodeAsync"/>).
    /// </summary>
    public bool TryDecodeCached(ReadOnlyMemory<byte> message, out AvroDecodeResult result)
    {
        var header = ConfluentWireFormat.TryReadHeader(message.Span, out var id);
        if (header != AvroDecodeError.None)
        {
            result = HeaderFailure(header, message.Span);
            return true;
        }
        if (!_plans.TryGetValue(id, out var plan))
        {
            result = default;
            return false;
        }
        result = Decode(plan, id, message);
        return true;
    }

    /// <summary>Decodes <paramref name="message"/>, fetching its writer schema from the registry on first sight of its id.</summary>
    public async ValueTask<AvroDecodeResult> DecodeAsync(ReadOnlyMemory<byte> message, CancellationToken cancellationToken = default)
    {
        if (TryDecodeCached(message, out var result)) return result;
        ConfluentWireFormat.TryReadHeader(message.Span, out var id);
        var plan = await LoadAsync(id, cancellationToken).ConfigureAwait(false);
        return Decode(plan, id, message);
    }

    /// <summary>
    /// Makes sure the writer schema of <paramref name="message"/> is known, so a later
    /// <see cref="TryDecodeCached"/> on a parse worker needs no I/O. Returns the header or schema error, if any.
    /// </summary>
    public async ValueTask<AvroDecodeError> PrepareAsync(ReadOnlyMemory<byte> message, CancellationToken cancellationToken = default)
    {
        var header = ConfluentWireFormat.TryReadHeader(message.Span, out var id);
        if (header != AvroDecodeError.None) return header;
        if (_plans.TryGetValue(id, out var known)) return known.Error;
        var plan = await LoadAsync(id, cancellationToken).ConfigureAwait(false);
        return plan.Error;
    }

    private static AvroDecodeResult HeaderFailure(AvroDecodeError error, ReadOnlySpan<byte> message) => error switch
    {
        AvroDecodeError.TooShort => AvroDecodeResult.Fail(error, null,
            $"{message.Length} bytes; Confluent framing needs at least {ConfluentWireFormat.HeaderLength} (magic byte + schema id)"),
        _ => AvroDecodeResult.Fail(error, null,
            $"magic byte was 0x{message[0]:x2}, expected 0x00: not Schema Registry framed"),
    };

    private AvroDecodeResult Decode(WriterPlan plan, int id, ReadOnlyMemory<byte> message)
    {
        if (plan.Error != AvroDecodeError.None) return AvroDecodeResult.Fail(plan.Error, id, plan.Detail!);
        return ReadBody(plan.Reader!, id, null, message[ConfluentWireFormat.HeaderLength..]);
    }

    /// <summary>
    /// Reads one record from an Avro binary <paramref name="body"/> that must be consumed whole. The writer is named in
    /// failures by its registry <paramref name="id"/>, or by <paramref name="fixedWriter"/> for unframed data.
    /// </summary>
    internal static AvroDecodeResult ReadBody(DatumReader<GenericRecord> reader, int? id, string? fixedWriter, ReadOnlyMemory<byte> body)
    {
        using var stream = AsStream(body);
        try
        {
            var record = reader.Read(null!, new BinaryDecoder(stream));
            if (stream.Position != body.Length)
                return AvroDecodeResult.Fail(AvroDecodeError.CorruptBody, id,
                    $"{body.Length - stream.Position} trailing bytes after the record ({(id is { } i ? $"schema id {i}" : fixedWriter)}, body {body.Length} bytes)");
            return AvroDecodeResult.Ok(record, id);
        }
        catch (Exception e) when (e is AvroException or EndOfStreamException or IOException or OverflowException
                                   or ArgumentException or IndexOutOfRangeException or InvalidCastException
                                   or OutOfMemoryException or FormatException or InvalidOperationException)
        {
            // Only the message's bytes were input here: whatever the Avro reader threw, the body is corrupt.
            return AvroDecodeResult.Fail(AvroDecodeError.CorruptBody, id,
                $"body does not decode with writer {(id is { } i ? $"schema id {i}" : fixedWriter)} ({e.GetType().Name}: {e.Message})");
        }
    }

    private static MemoryStream AsStream(ReadOnlyMemory<byte> body) =>
        MemoryMarshal.TryGetArray(body, out var segment)
            ? new MemoryStream(segment.Array!, segment.Offset, segment.Count, writable: false)
            : new MemoryStream(body.ToArray(), writable: false);

    private async ValueTask<WriterPlan> LoadAsync(int id, CancellationToken cancellationToken)
    {
        WriterPlan plan;
        try
        {
            cancellationToken.ThrowIfCancellationRequested();
            var registered = await _registry.GetSchemaAsync(id).ConfigureAwait(false);
            plan = Plan(id, registered);
        }
        catch (SchemaRegistryException e) when (e.Status == HttpStatusCode.NotFound)
        {
            plan = WriterPlan.Bad(AvroDecodeError.UnknownSchemaId, $"the registry does not know schema id {id} ({e.ErrorCode}: {e.Message})");
        }
        catch (Exception e) when (e is SchemaRegistryException or HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            // The registry's fault, not the message's: do not remember, do not dead-letter.
            return WriterPlan.Bad(AvroDecodeError.RegistryUnavailable, $"schema id {id} could not be fetched: {e.Message}");
        }
        if (plan.Error == AvroDecodeError.None) return _plans.GetOrAdd(id, plan);
        if (Interlocked.Increment(ref _badIds) <= MaxRememberedBadIds) return _plans.GetOrAdd(id, plan);
        return plan;
    }

    private WriterPlan Plan(int id, Confluent.SchemaRegistry.Schema registered)
    {
        if (registered.SchemaType != SchemaType.Avro)
            return WriterPlan.Bad(AvroDecodeError.IncompatibleSchema, $"schema id {id} is a {registered.SchemaType} schema, not Avro");
        AvroSchema writer;
        try
        {
            writer = AvroSchema.Parse(registered.SchemaString);
        }
        catch (AvroException e)
        {
            return WriterPlan.Bad(AvroDecodeError.IncompatibleSchema, $"schema id {id} does not parse as Avro: {e.Message}");
        }
        if (!ReaderSchema.CanRead(writer))
            return WriterPlan.Bad(AvroDecodeError.IncompatibleSchema,
                $"reader schema {ReaderSchema.Fullname} cannot read writer schema id {id} ({writer.Fullname}): a field without default is missing or a type differs");
        return new WriterPlan(new GenericDatumReader<GenericRecord>(writer, ReaderSchema), AvroDecodeError.None, null);
    }

    private sealed record WriterPlan(DatumReader<GenericRecord>? Reader, AvroDecodeError Error, string? Detail)
    {
        public static WriterPlan Bad(AvroDecodeError error, string detail) => new(null, error, detail);
    }
}
