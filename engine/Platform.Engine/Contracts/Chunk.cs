using System.Buffers;

namespace Platform.Engine.Contracts;

/// <summary>
/// A pooled block of source bytes cut at record boundaries (whole NDJSON lines, say).
/// Parse workers take chunks from sources; the last holder disposes it.
/// </summary>
public sealed class Chunk : IDisposable
{
    private byte[] _buffer;

    /// <summary>Rents a chunk with room for at least <paramref name="capacity"/> bytes.</summary>
    public Chunk(int capacity) => _buffer = ArrayPool<byte>.Shared.Rent(capacity);

    /// <summary>The whole rented buffer; bytes [0, <see cref="Length"/>) are valid.</summary>
    public byte[] Buffer => _buffer;

    /// <summary>Valid bytes.</summary>
    public int Length { get; set; }

    /// <summary>The valid bytes.</summary>
    public ReadOnlySpan<byte> Span => _buffer.AsSpan(0, Length);

    /// <summary>Which partition (shard, file, topic partition) of the source it came from.</summary>
    public int Partition { get; set; }

    /// <summary>Byte offset in the partition of the chunk's first byte (for the DLQ and checkpoints).</summary>
    public long Position { get; set; }

    /// <summary>Monotonic sequence number within the source, assigned by the source.</summary>
    public long Sequence { get; set; }

    /// <summary>Grows the buffer to at least <paramref name="capacity"/> bytes, keeping the valid bytes.</summary>
    public void EnsureCapacity(int capacity)
    {
        if (capacity <= _buffer.Length) return;
        var bigger = ArrayPool<byte>.Shared.Rent(capacity);
        _buffer.AsSpan(0, Length).CopyTo(bigger);
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = bigger;
    }

    /// <summary>Returns the buffer to the pool.</summary>
    public void Dispose()
    {
        var b = _buffer;
        _buffer = [];
        if (b.Length > 0) ArrayPool<byte>.Shared.Return(b);
    }
}
