namespace Platform.Engine.Contracts;

/// <summary>
/// A source of bytes cut into chunks at record boundaries. Sources are read by one thread;
/// parsing happens on parse workers.
/// </summary>
public interface IChunkSource : IAsyncDisposable
{
    /// <summary>A name for logs, metrics and dead letters.</summary>
    string Name { get; }

    /// <summary>Number of partitions chunks may come from (watermarks are tracked per partition).</summary>
    int Partitions { get; }

    /// <summary>Reads the next chunk, or returns null at the end of a bounded input.</summary>
    ValueTask<Chunk?> ReadAsync(CancellationToken cancellationToken);

    /// <summary>The position after the last chunk returned, per partition (for checkpoints).</summary>
    long PositionOf(int partition);
}
