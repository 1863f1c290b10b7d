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

    /// <summary>
    /// Like <see cref="TryTranscode"/>, but never waits for I/O (what the Kafka source's poll thread calls): throws
    /// <see cref="KafkaValueNotReadyException"/> when the value needs I/O first (a schema not fetched yet, a registry
    /// outage); the source then holds the partition and calls <see cref="PrepareAsync"/> off the poll thread.
    /// </summary>
    bool TryTranscodeWithoutWaiting(ReadOnlySpan<byte> value, out ReadOnlySpan<byte> line, out string? reason) =>
        TryTranscode(value, out line, out reason);

    /// <summary>
    /// Fetches what <paramref name="value"/> needs (its writer schema), so the next <see cref="TryTranscodeWithoutWaiting"/>
    /// of it needs no I/O. Throws <see cref="KafkaValueNotReadyException"/> while that is not possible yet (the source
    /// retries with backoff); a value that turns out to be bad completes normally and is then rejected.
    /// </summary>
    ValueTask PrepareAsync(ReadOnlyMemory<byte> value, CancellationToken cancellationToken) => ValueTask.CompletedTask;
}
