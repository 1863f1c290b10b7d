namespace Platform.Connectors.Kafka;

/// <summary>
/// Turns one Kafka message value into the line the source's parser reads (Avro → telemetry NDJSON, say), or rejects
/// it with a reason: the source sends a rejected value to the dead-letter topic with its topic, partition and
/// offset and goes on. Called by the poll thread only.
/// </summary>
public interface IKafkaValueTranscoder
{
    /// <summary>
    /// Transcodes <paramref name="value"/>. On success <paramref name="line"/> (valid until the next call) is the
    /// record without a line end; on failure <paramref name="reason"/> says why. Throws for faults that are not the
    /// message's (a registry outage): the source retries those instead of dead-lettering.
    /// </summary>
    bool TryTranscode(ReadOnlySpan<byte> value, out ReadOnlySpan<byte> line, out string? reason);
}
