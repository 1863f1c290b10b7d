using Avro;
using Avro.Generic;

namespace Platform.Connectors.SchemaRegistry;

/// <summary>A platform event (seed 001 §2b): what the Avro <c>com.demobank.events.PlatformEvent</c> record holds.</summary>
/// <param name="EventId">Unique id of the event.</param>
/// <param name="Source">Originating system or module.</param>
/// <param name="DetailType">Type of event, e.g. <c>transaction.created</c>.</param>
/// <param name="Timestamp">When it happened (UTC, millisecond precision on the wire).</param>
/// <param name="CorrelationId">Traces related events; optional.</param>
/// <param name="Payload">The event-specific payload as a JSON string.</param>
/// <param name="Metadata">Additional key-value metadata; optional.</param>
public sealed record PlatformEvent(
    string EventId,
    string Source,
    string DetailType,
    DateTimeOffset Timestamp,
    string? CorrelationId,
    string Payload,
    IReadOnlyDictionary<string, string>? Metadata);

/// <summary>Maps <see cref="PlatformEvent"/> to and from its Avro record.</summary>
public static class PlatformEventAvro
{
    /// <summary>The event as an Avro record of <paramref name="schema"/> (default: <see cref="PlatformAvroSchemas.PlatformEvent"/>).</summary>
    public static GenericRecord ToAvro(PlatformEvent e, RecordSchema? schema = null)
    {
        var record = new GenericRecord(schema ?? PlatformAvroSchemas.PlatformEvent);
        record.Add("eventId", e.EventId);
        record.Add("source", e.Source);
        record.Add("detailType", e.DetailType);
        record.Add("timestamp", e.Timestamp.UtcDateTime);
        record.Add("correlationId", e.CorrelationId);
        record.Add("payload", e.Payload);
        record.Add("metadata", e.Metadata?.ToDictionary(kv => kv.Key, kv => (object)kv.Value));
        return record;
    }

    /// <summary>Reads an Avro PlatformEvent record.</summary>
    public static PlatformEvent FromAvro(GenericRecord r)
    {
        var time = r["timestamp"] switch
        {
            DateTime dt => new DateTimeOffset(DateTime.SpecifyKind(dt, DateTimeKind.Utc)),
            long ms => DateTimeOffset.FromUnixTimeMilliseconds(ms),
            var other => throw new InvalidDataException($"PlatformEvent.timestamp has type {other?.GetType().Name ?? "null"}"),
        };
        var metadata = r["metadata"] is IDictionary<string, object> map
            ? map.ToDictionary(kv => kv.Key, kv => (string)kv.Value)
            : null;
        return new PlatformEvent((string)r["eventId"], (string)r["source"], (string)r["detailType"], time,
            r["correlationId"] as string, (string)r["payload"], metadata);
    }
}
