namespace Platform.Engine.Contracts;

/// <summary>
/// A source that can resume from a position recorded in a checkpoint. Positions are opaque bytes per
/// partition (a file byte offset, a Kafka offset, a Kinesis sequence number), written by the source
/// and read back only by it.
/// </summary>
public interface ICheckpointableSource
{
    /// <summary>The position after the last chunk returned, for <paramref name="partition"/>, as opaque bytes.</summary>
    byte[] SavePosition(int partition);

    /// <summary>
    /// Moves every partition to a position from <see cref="SavePosition"/>, before the first read.
    /// Throws <see cref="ArgumentException"/> when the positions do not fit this source (count, format, range).
    /// </summary>
    void Seek(IReadOnlyList<byte[]> positions);
}
