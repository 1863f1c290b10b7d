using Avro;
using Avro.Generic;
using Platform.Formats.Avro;
using AvroSchema = Avro.Schema;

namespace Platform.Connectors.SchemaRegistry;

/// <summary>
/// Decodes unframed Avro binary — what a device sends when it has no Schema Registry: the record alone, written with
/// one writer schema agreed beforehand — into records of the reader schema, with Avro's schema resolution in between
/// (fields the writer lacks take the reader's defaults). Failures come back typed, like <see cref="AvroValueDecoder"/>'s.
/// </summary>
public sealed class FixedSchemaAvroDecoder
{
    private readonly GenericDatumReader<GenericRecord> _reader;
    private readonly string _writerName;

    /// <summary>Creates a decoder of data written with <paramref name="writer"/>, read as <paramref name="reader"/>.</summary>
    /// <exception cref="ArgumentException"><paramref name="reader"/> cannot read <paramref name="writer"/>'s data.</exception>
    public FixedSchemaAvroDecoder(AvroSchema writer, RecordSchema reader)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(reader);
        if (!reader.CanRead(writer))
            throw new ArgumentException($"reader schema {reader.Fullname} cannot read writer schema {writer.Fullname}: a field without default is missing or a type differs");
        _reader = new GenericDatumReader<GenericRecord>(writer, reader);
        _writerName = $"schema {writer.Fullname} (fixed)";
        ReaderSchema = reader;
    }

    /// <summary>The one schema every decoded record has.</summary>
    public RecordSchema ReaderSchema { get; }

    /// <summary>Parses <paramref name="writerSchemaJson"/> (the text of an .avsc file) and creates a decoder into <paramref name="reader"/>.</summary>
    /// <exception cref="ArgumentException">The text is not an Avro schema, or <paramref name="reader"/> cannot read it.</exception>
    public static FixedSchemaAvroDecoder FromJson(string writerSchemaJson, RecordSchema reader)
    {
        AvroSchema writer;
        try
        {
            writer = AvroSchema.Parse(writerSchemaJson);
        }
        catch (AvroException e)
        {
            throw new ArgumentException($"the writer schema does not parse as Avro: {e.Message}", nameof(writerSchemaJson), e);
        }
        return new FixedSchemaAvroDecoder(writer, reader);
    }

    /// <summary>Decodes one message body (the whole of it must be one record).</summary>
    public AvroDecodeResult Decode(ReadOnlyMemory<byte> body) =>
        body.IsEmpty
            ? AvroDecodeResult.Fail(AvroDecodeError.CorruptBody, null, "empty message: an Avro record has at least one byte")
            : AvroValueDecoder.ReadBody(_reader, null, _writerName, body);
}
