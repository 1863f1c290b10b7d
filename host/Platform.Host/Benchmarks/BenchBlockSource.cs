using Platform.Engine.Contracts;

namespace Platform.Host.Benchmarks;

/// <summary>
/// Replays benchmark blocks as chunks: each read copies one block into a pooled chunk, straight from the page cache
/// for <see cref="IBenchBlocks"/> input, from the array otherwise.
/// </summary>
public sealed class BenchBlockSource(IReadOnlyList<byte[]> blocks, string name = "bench") : IChunkSource
{
    private int _next;
    private long _position;

    /// <inheritdoc />
    public string Name => name;

    /// <inheritdoc />
    public int Partitions => 1;

    /// <inheritdoc />
    public ValueTask<Chunk?> ReadAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (_next >= blocks.Count) return ValueTask.FromResult<Chunk?>(null);
        var index = _next++;
        Chunk chunk;
        if (blocks is IBenchBlocks stored)
        {
            var length = stored.LengthOf(index);
            chunk = new Chunk(length) { Length = length, Position = _position };
            stored.CopyTo(index, chunk.Buffer);
        }
        else
        {
            var block = blocks[index];
            chunk = new Chunk(block.Length) { Length = block.Length, Position = _position };
            block.CopyTo(chunk.Buffer, 0);
        }
        _position += chunk.Length;
        return ValueTask.FromResult<Chunk?>(chunk);
    }

    /// <inheritdoc />
    public long PositionOf(int partition) => _position;

    /// <inheritdoc />
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
