using Avro.Generic;
using Platform.Formats.Avro;

namespace Platform.Connectors.SchemaRegistry;

/// <summary>The outcome of decoding one message: a record, or why not (a poison pill is an expected outcome, not an exception).</summary>
public readonly record struct AvroDecodeResult(GenericRecord? Record, AvroDecodeError Error, int? SchemaId, string? Detail)
{
    /// <summary>True when <see cref="Record"/> is set.</summary>
    public bool IsSuccess => Error == AvroDecodeError.None;

    /// <summary>A one-line reason for logs and the dead-letter queue.</summary>
    public string Reason => IsSuccess ? "ok" : $"{AvroDecodeErrors.Code(Error)}: {Detail}";

    /// <summary>The failure as a typed exception.</summary>
    public AvroDecodeException ToException() => new(Error, SchemaId, Reason);

    internal static AvroDecodeResult Ok(GenericRecord record, int? schemaId) => new(record, AvroDecodeError.None, schemaId, null);

    internal static AvroDecodeResult Fail(AvroDecodeError error, int? schemaId, string detail) => new(null, error, schemaId, detail);
}
