using Platform.Formats.Avro;

namespace Platform.Connectors.SchemaRegistry;

/// <summary>
/// A Kafka key or value that could not be decoded as Confluent-framed Avro, with the typed reason.
/// Thrown by the <c>IDeserializer</c> adapters; a source catches it (Confluent wraps it in a
/// <c>ConsumeException</c>) and routes the raw message to the dead-letter topic when
/// <see cref="IsPoisonPill"/>, or retries when the registry is down.
/// </summary>
public sealed class AvroDecodeException : Exception
{
    /// <summary>Creates the exception.</summary>
    public AvroDecodeException(AvroDecodeError error, int? schemaId, string message, Exception? inner = null)
        : base(message, inner)
    {
        Error = error;
        SchemaId = schemaId;
    }

    /// <summary>Creates an exception without details (for serializers of exceptions).</summary>
    public AvroDecodeException() : this(AvroDecodeError.CorruptBody, null, "Avro decode failed.") { }

    /// <summary>Creates an exception with a message only.</summary>
    public AvroDecodeException(string message) : this(AvroDecodeError.CorruptBody, null, message) { }

    /// <summary>Creates an exception with a message and cause.</summary>
    public AvroDecodeException(string message, Exception inner) : this(AvroDecodeError.CorruptBody, null, message, inner) { }

    /// <summary>Why decoding failed.</summary>
    public AvroDecodeError Error { get; }

    /// <summary>The schema id of the header, when the header was readable.</summary>
    public int? SchemaId { get; }

    /// <summary>The stable code for headers and metrics (<see cref="AvroDecodeErrors.Code"/>).</summary>
    public string Code => AvroDecodeErrors.Code(Error);

    /// <summary>True when the message itself is bad (dead-letter it); false when the registry is down (retry).</summary>
    public bool IsPoisonPill => AvroDecodeErrors.IsPoisonPill(Error);
}
