namespace Platform.Formats.Avro;

/// <summary>
/// Why a Confluent-framed Avro message could not be decoded. Every value except
/// <see cref="RegistryUnavailable"/> is a property of the message itself (a poison pill): it goes to
/// the dead-letter queue and consumption goes on. <see cref="RegistryUnavailable"/> is a fault of the
/// environment and is retried, never dead-lettered.
/// </summary>
public enum AvroDecodeError : byte
{
    /// <summary>Decoded.</summary>
    None = 0,
    /// <summary>Fewer than the 5 header bytes (magic byte + schema id); an empty value counts here.</summary>
    TooShort,
    /// <summary>The first byte is not the Confluent magic byte 0: not Schema Registry framed.</summary>
    BadMagicByte,
    /// <summary>The registry does not know the schema id in the header.</summary>
    UnknownSchemaId,
    /// <summary>The writer schema cannot be read with the reader schema (no default for a missing field, type clash).</summary>
    IncompatibleSchema,
    /// <summary>The Avro body does not decode with its writer schema (truncated, bad varint, trailing bytes, bad union index).</summary>
    CorruptBody,
    /// <summary>The registry could not be reached or failed (HTTP 5xx, timeout): retry, do not dead-letter.</summary>
    RegistryUnavailable,
}

/// <summary>Stable names of <see cref="AvroDecodeError"/> for dead-letter headers and metric tags.</summary>
public static class AvroDecodeErrors
{
    /// <summary>A short kebab-case code, e.g. <c>avro-bad-magic-byte</c>, stable across releases.</summary>
    public static string Code(AvroDecodeError error) => error switch
    {
        AvroDecodeError.None => "none",
        AvroDecodeError.TooShort => "avro-too-short",
        AvroDecodeError.BadMagicByte => "avro-bad-magic-byte",
        AvroDecodeError.UnknownSchemaId => "avro-unknown-schema-id",
        AvroDecodeError.IncompatibleSchema => "avro-incompatible-schema",
        AvroDecodeError.CorruptBody => "avro-corrupt-body",
        AvroDecodeError.RegistryUnavailable => "avro-registry-unavailable",
        _ => "avro-unknown-error",
    };

    /// <summary>True for errors of the message itself (dead-letter it); false for a registry outage (retry).</summary>
    public static bool IsPoisonPill(AvroDecodeError error) => error is not (AvroDecodeError.None or AvroDecodeError.RegistryUnavailable);
}
