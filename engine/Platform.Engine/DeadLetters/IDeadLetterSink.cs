namespace Platform.Engine.DeadLetters;

/// <summary>
/// Receives records that could not be processed, with why and where. Thread-safe: every parse
/// worker writes to it. Implementations copy <c>raw</c>; it is only valid during the call.
/// </summary>
public interface IDeadLetterSink
{
    /// <summary>Records one rejected input.</summary>
    /// <param name="source">The source's name.</param>
    /// <param name="partition">The source partition.</param>
    /// <param name="position">Byte offset (or sequence number) of the record in its partition.</param>
    /// <param name="reason">Why it was rejected, precise enough to fix the producer.</param>
    /// <param name="raw">The record's raw bytes.</param>
    void Write(string source, int partition, long position, string reason, ReadOnlySpan<byte> raw);

    /// <summary>Dead letters written so far.</summary>
    long Count { get; }
}
