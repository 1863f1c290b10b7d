using Platform.Engine.Contracts;

namespace Platform.Connectors.Memory;

/// <summary>
/// Replays chunks held in memory (benchmarks: the input is read once, up front, so a run measures
/// the pipeline, not the disk or the generator). Each read copies one stored block into a pooled
/// chunk, as a real source copies from a socket or the page cache.
/// </summary>
public sealed class MemoryChunkSource : IChunkSource
{
    private readonly IReadOnlyList<byte[]> _blocks;
    private int _next;
    private long _position;

    /// <summary>Serves <paramref name="blocks"/> in order; each must hold whole records.</summary>
    public MemoryChunkSource(IReadOnlyList<byte[]> blocks, string name = "memory")
    {
        _blocks = blocks;
        Name = name;
        TotalBytes = blocks.Sum(b => (long)b.Length);
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <inheritdoc />
    public int Partitions => 1;

    /// <summary>Bytes held.</summary>
    public long TotalBytes { get; }

    /// <summary>Reads every chunk of <paramref name="source"/> into memory (copies), for replay.</summary>
    public static async Task<MemoryChunkSource> CaptureAsync(IChunkSource source, CancellationToken cancellationToken = default)
    {
        var blocks = new List<byte[]>();
        while (await source.ReadAsync(cancellationToken) is { } chunk)
        {
            using (chunk) blocks.Add(chunk.Span.ToArray());
        }
        return new MemoryChunkSource(blocks, source.Name);
    }

    /// <inheritdoc />
    public ValueTask<Chunk?> ReadAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (_next >= _blocks.Count) return ValueTask.FromResult<Chunk?>(null);
        var block = _blocks[_next++];
        var chunk = new Chunk(block.Length) { Length = block.Length, Position = _position };
        block.CopyTo(chunk.Buffer, 0);
        _position += block.Length;
        return ValueTask.FromResult<Chunk?>(chunk);
    }

    /// <summary>Starts over from the first block.</summary>
    public void Rewind()
    {
        _next = 0;
        _position = 0;
    }

    /// <inheritdoc />
    public long PositionOf(int partition) => _position;

    /// <inheritdoc />
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
