using System.Buffers.Binary;

namespace Platform.Formats.Avro;

/// <summary>
/// The Confluent Schema Registry framing of a Kafka key or value: magic byte 0, the writer schema's
/// registry id as 4 bytes big-endian, then the Avro binary body. Reading the 5-byte header needs no
/// registry and no allocation, so a source can sort out framing errors before any decoding.
/// </summary>
public static class ConfluentWireFormat
{
    /// <summary>The only magic byte defined by the format.</summary>
    public const byte MagicByte = 0;

    /// <summary>Magic byte plus schema id.</summary>
    public const int HeaderLength = 5;

    /// <summary>
    /// Reads the header of <paramref name="message"/>. On success <paramref name="schemaId"/> is the
    /// writer schema's id and the body starts at <see cref="HeaderLength"/>.
    /// </summary>
    public static AvroDecodeError TryReadHeader(ReadOnlySpan<byte> message, out int schemaId)
    {
        schemaId = 0;
        if (message.Length < HeaderLength) return AvroDecodeError.TooShort;
        if (message[0] != MagicByte) return AvroDecodeError.BadMagicByte;
        schemaId = BinaryPrimitives.ReadInt32BigEndian(message[1..]);
        return AvroDecodeError.None;
    }

    /// <summary>Writes the 5-byte header for <paramref name="schemaId"/> into <paramref name="destination"/>.</summary>
    public static void WriteHeader(Span<byte> destination, int schemaId)
    {
        if (destination.Length < HeaderLength)
            throw new ArgumentException($"The Confluent header needs {HeaderLength} bytes; {destination.Length} given.", nameof(destination));
        destination[0] = MagicByte;
        BinaryPrimitives.WriteInt32BigEndian(destination[1..], schemaId);
    }
}
